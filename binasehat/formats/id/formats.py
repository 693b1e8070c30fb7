"""Indonesian formats: 31 Des 2025 (tables and text), 31/12/2025 (short), 1.234,5 (numbers).

Only display formats are set here; input formats come from Django's Indonesian locale, and an
<input type="date"> always carries ISO dates (forms render it with an explicit format)."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H.i"
TIME_FORMAT = "H.i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H.i"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
