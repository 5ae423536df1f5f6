"""情報化事業シート (issue: the project sheet) will live here."""
