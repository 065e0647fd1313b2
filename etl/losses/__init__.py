"""The losses pipeline: parsers, crawls, the loader, ingestion, the sources check, DAG task callables."""
