"""The offline replay of the sources: the HTTP server and the snapshot builder."""
