"""The index on disk: schema, writing, generations and bulk readers. The only code that opens index files."""
