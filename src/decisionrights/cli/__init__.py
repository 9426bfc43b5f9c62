"""The command line: `main` reads arguments and files and sets exit codes; one module per group of commands."""
