-- A fresh install is usable at once: topology version 1 (SPEC §3), active.  Runs on every
-- migrate; does nothing once any topology version exists.
DO $seed$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM wallet.topology_version) THEN
        INSERT INTO wallet.topology_version (version, status, document, created_by, activated_by, activated_at)
        VALUES (1, 'ACTIVE', wallet._default_topology_document(), 'migrate', 'migrate', now());
        PERFORM wallet._topology_materialize(1, wallet._default_topology_document());
        PERFORM wallet._audit('migrate', 'topology.activate', 'topology:1', 'OK', NULL,
                              jsonb_build_object('version', 1, 'status', 'ACTIVE'), 'first-release default');
    END IF;
END
$seed$;
