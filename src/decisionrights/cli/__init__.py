"""The command line: `main` reads the arguments and sets exit codes; one module per group of commands
(`ask`, `check`, `diff`, `fmt`, `views`), sharing `common` (reading files, loading a charter, usage errors)."""
