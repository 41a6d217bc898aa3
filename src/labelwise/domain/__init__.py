"""Pure domain rules: label schemas and result validation, task states, policies. No I/O here."""
