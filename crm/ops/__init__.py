"""Operations: health check for load balancers, database backups."""
