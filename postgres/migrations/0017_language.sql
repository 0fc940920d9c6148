-- language: the tag of the language the owner chose for pages and emails
-- ("de"); '' lets pages follow the browser and emails use the default.
ALTER TABLE accounts ADD COLUMN language TEXT NOT NULL DEFAULT '';
