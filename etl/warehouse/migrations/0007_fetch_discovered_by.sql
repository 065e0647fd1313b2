-- How the spider found the URL of each fetch (mod.gov.ua: search API, sitemap, tag page, URL pattern).
ALTER TABLE raw.fetch ADD COLUMN discovered_by text;
