"""The site: generated pages and their templates, exports, news feed, link previews, search, theme."""
