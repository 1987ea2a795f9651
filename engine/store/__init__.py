"""The results store: runs recorded in a SQL database named by a URL.

- urls.py: which store a command uses (`--store` > RULEPACK_STORE > the SQLite
  file in the user data folder) and checking its URL;
- records.py: what one stored run holds, built from a Report;
- schema.py: the tables and the ordered migrations between schema versions;
- database.py: `open_store`, recording runs and reading them back.

SQLAlchemy Core and the database drivers are imported only here, so a run
without `--store` never pays for them.
"""
