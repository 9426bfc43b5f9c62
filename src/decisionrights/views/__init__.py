"""Stage 5, views: the charter for people to read (matrix, graph, card)."""
