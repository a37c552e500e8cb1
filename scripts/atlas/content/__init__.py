"""Reading the content: bounded YAML, schema, checks, records, countries, indexes, git history."""
