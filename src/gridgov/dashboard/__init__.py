"""The leaders' dashboard: live counts, overdue cases, monthly rankings, trends and the ranking workbook."""
