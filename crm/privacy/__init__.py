"""Law 25: access and portability, erasure, retention, access log, incidents (consent per purpose is
recorded by the contacts feature)."""
