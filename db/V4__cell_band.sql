-- vramplan schema, version 4: the band of a cell's estimate (catalog/bands.yaml). device_bytes_high is the top of
-- the band over device_bytes: with confidence band_confidence (0.9) the job needs no more; band_group names the
-- group of measured points it came from and band_points how many there were. Cells stored before version 4, and
-- infeasible cells, have none.
ALTER TABLE plan_cell ADD COLUMN device_bytes_high BIGINT;
ALTER TABLE plan_cell ADD COLUMN band_confidence DOUBLE PRECISION;
ALTER TABLE plan_cell ADD COLUMN band_group VARCHAR(200);
ALTER TABLE plan_cell ADD COLUMN band_points INTEGER;
