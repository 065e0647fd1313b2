-- Issue 12 moved etl/ into folders per concern; three comments of earlier migrations named the old
-- module paths.  They now name the new ones (the migrations themselves stay as they ran).

COMMENT ON TABLE core.category IS 'The canonical loss categories and when the bulletins reported them (synced from etl/domain/categories.py).';
COMMENT ON COLUMN core.source_key.category IS 'The category it was read as, when the category aliases name it unambiguously; NULL: read past, nothing stored (add an alias to etl/domain/categories.py and rebuild).';
COMMENT ON COLUMN quality.source_check.mode IS 'live: the real sites; replay: the loopback replay (etl/replay/server.py).';
