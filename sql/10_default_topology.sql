-- A fresh install is usable at once (SPEC §5b): topology version 1 active, with an active
-- betting policy per provider type and an active money policy per wallet group, all created
-- and activated through the same audited functions an admin uses.  Runs on every migrate and
-- only fills what is missing (a provider type added later gets its default policy).
DO $seed$
DECLARE
    v_topology integer := wallet._active_topology();
    v_named jsonb := '[]';
    v_result jsonb;
    v_code text;
BEGIN
    IF v_topology IS NULL AND NOT EXISTS (SELECT 1 FROM wallet.topology_version) THEN
        PERFORM admin.topology_create(wallet._default_topology_document(), 'first-release default (SPEC §5b)', 'migrate');
    END IF;
    v_topology := coalesce(v_topology, 1);

    FOR v_code IN SELECT provider_type FROM wallet.provider_mapping WHERE topology_version = v_topology
                   AND provider_type NOT IN (SELECT provider_type FROM wallet.betting_policy WHERE status = 'ACTIVE')
                   ORDER BY provider_type LOOP
        v_result := admin.policy_create(v_code, wallet._default_betting_policy(v_code, v_topology),
                                         'first-release default (SPEC §5b)', v_topology, 'migrate');
        v_named := v_named || jsonb_build_object('provider_type', v_code, 'version', (v_result->>'version')::integer);
    END LOOP;
    FOR v_code IN SELECT code FROM wallet.wallet_group WHERE topology_version = v_topology
                   AND code NOT IN (SELECT wallet_group FROM wallet.group_policy WHERE status = 'ACTIVE')
                   ORDER BY code LOOP
        v_result := admin.group_policy_create(v_code, wallet._default_group_policy(v_code, v_topology),
                                               'first-release default (SPEC §4)', v_topology, 'migrate');
        v_named := v_named || jsonb_build_object('wallet_group', v_code, 'version', (v_result->>'version')::integer);
    END LOOP;

    IF wallet._active_topology() IS NULL THEN
        v_result := admin.topology_activate(v_topology, 'first-release default (SPEC §5b)', v_named, 'migrate');
    ELSIF jsonb_array_length(v_named) > 0 THEN
        v_result := admin.topology_activate(v_topology, 'default policies for new provider types or groups', v_named, 'migrate');
    END IF;
    IF v_result ? 'refused' THEN
        RAISE EXCEPTION 'default topology/policy seed refused: %', v_result;
    END IF;
END
$seed$;
