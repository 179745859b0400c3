"""The presentation layer: what people read, built once and drawn by several renderers.

``numbers`` formats counts, shares, Rupiah and decimals by language (1.234,5 in Bahasa Indonesia); ``labels`` is the
one catalogue of display labels; ``tables`` holds the neutral display table (title, headings, rows of text, notes)
that the terminal draws today and the XLSX/HTML report will draw next; ``summary`` and ``validation`` build the
displays of ``peka classify`` and ``peka validate``. Nothing here reads files or configuration: the job layer passes
the configuration whose labels are shown.
"""
