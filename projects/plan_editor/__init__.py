"""計画の管理: the pages where 情報推進課 makes plans and builds their trees."""
