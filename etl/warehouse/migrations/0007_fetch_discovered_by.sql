-- How the spider found the URL of each fetch (mod.gov.ua: search API, sitemap, tag page, URL pattern).
ALTER TABLE raw.fetch ADD COLUMN discovered_by text;
COMMENT ON COLUMN raw.fetch.discovered_by IS 'How the URL was found: search_api (mod.gov.ua search reply, the bulletins are in it), sitemap, tag_page, listing (a news listing), url_pattern (guessed from a known slug family: the last resort), or NULL (a fixed URL: API pages, month pages, the discovery requests themselves).';
