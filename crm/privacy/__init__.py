"""Law 25: consent per purpose, access and portability, erasure, retention, access log, incidents."""
