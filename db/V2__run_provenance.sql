-- vramplan schema, version 2: who planned, from which inputs, so a plan can be reproduced and two runs
-- compared down to the catalog entry or rule that changed.
ALTER TABLE plan_run ADD COLUMN user_name VARCHAR(200);
ALTER TABLE plan_run ADD COLUMN host_name VARCHAR(200);
ALTER TABLE plan_run ADD COLUMN catalog_sha VARCHAR(64);
ALTER TABLE plan_run ADD COLUMN rules_sha VARCHAR(64);
ALTER TABLE plan_cell ADD COLUMN gpu_sha VARCHAR(64);
ALTER TABLE plan_cell ADD COLUMN model_sha VARCHAR(64);
ALTER TABLE plan_cell ADD COLUMN workload_sha VARCHAR(64);
