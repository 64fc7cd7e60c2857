"""Visit figures (走访统计): due, done on time, late, overdue, per worker, community, street or
month, and the share of households visited within their cycle."""
