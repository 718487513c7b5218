-- Refusals and validation problems: how every command says no.  A refusal is an error of
-- wallet.error_code (SQLSTATE RWnnn) with a JSON detail; a validation problem is a line
-- {path, message}, and a command collects every line before refusing with VALIDATION_FAILED.

-- Raises the error `p_code` of wallet.error_code (SQLSTATE RWnnn) with a JSON detail the API
-- turns into the problem response, and the code's name as a hint for people in psql.
-- Never returns.
CREATE OR REPLACE FUNCTION wallet._fail(p_code text, p_message text, p_detail jsonb DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_sqlstate text;
BEGIN
    SELECT sqlstate INTO v_sqlstate FROM wallet.error_code WHERE code = p_code;
    IF v_sqlstate IS NULL THEN
        RAISE EXCEPTION 'wallet._fail: % is not an error code raised by SQL', p_code;
    END IF;
    RAISE EXCEPTION USING
        ERRCODE = v_sqlstate,
        MESSAGE = p_message,
        DETAIL = coalesce(p_detail, '{}'::jsonb)::text,
        HINT = format('wallet error %s (SQLSTATE %s, see wallet.error_code)', p_code, v_sqlstate);
END
$$;

-- Appends {path, message} to a list of validation problems unless p_ok is true (NULL is a
-- problem too: a missing value never passes).  Lets a command report every fault at once.
-- STABLE, like jsonb_build_object inside it: an IMMUTABLE function calling a STABLE one is
-- never inlined, and this one is on every command's path.  p_errors appears once in the body,
-- so the function is inlined even when p_errors is itself a call of it (checks nest).
CREATE OR REPLACE FUNCTION wallet._check(p_errors jsonb, p_ok boolean, p_path text, p_message text)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT p_errors || CASE WHEN p_ok THEN '[]'::jsonb
                            ELSE jsonb_build_array(jsonb_build_object('path', p_path, 'message', p_message)) END
$$;

-- Raises VALIDATION_FAILED listing every collected problem, if there is any.
CREATE OR REPLACE FUNCTION wallet._raise_invalid(p_errors jsonb)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF jsonb_array_length(p_errors) > 0 THEN
        PERFORM wallet._fail('VALIDATION_FAILED',
            format('request is invalid: %s', (SELECT string_agg(e->>'path' || ' ' || (e->>'message'), '; ')
                                                FROM jsonb_array_elements(p_errors) e)),
            jsonb_build_object('errors', p_errors));
    END IF;
END
$$;

-- A list of one problem, [{path, message}], to append to a list with ||.
CREATE OR REPLACE FUNCTION wallet._problem(p_path text, p_message text)
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_array(jsonb_build_object('path', p_path, 'message', p_message))
$$;

-- A refusal returned as data by the audited admin commands (topology and policy versions):
-- {"refused": {"code", "message", …detail}}.  They return it instead of raising it because a
-- raised error would roll back the audit row of the refused attempt; the API answers it as the
-- problem response of its code (ADR 0002).
CREATE OR REPLACE FUNCTION wallet._refusal(p_code text, p_message text, p_detail jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('refused', jsonb_build_object('code', p_code, 'message', p_message) || coalesce(p_detail, '{}'))
$$;

-- A problem list as rows (path, message): how the public validate functions answer.
CREATE OR REPLACE FUNCTION wallet._problem_rows(p_problems jsonb)
RETURNS TABLE (path text, message text)
LANGUAGE sql IMMUTABLE AS $$
    SELECT e->>'path', e->>'message' FROM jsonb_array_elements(p_problems) e
$$;
