"""The `ppl` command line: `ppl.cli` builds the parser and runs `main`; `ppl.commands` holds one module per
command; `ppl.common` what they share (exit statuses, `CommandError`, colour, options and loaders)."""
