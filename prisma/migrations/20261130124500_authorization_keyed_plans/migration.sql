-- Authorization's generic plans are made once per connection and kept until statistics change.
-- Made while entitlement_devices was small (a new install: it starts empty), the device count of
-- each login became a sequential scan of the whole table, and stayed one as the table grew:
-- measured, 1.4 ms per login at 20,000 devices, a third of the time the benchmark's logins took.
-- Every table access in these functions is a keyed lookup; sequential scans are ruled out.
ALTER FUNCTION netflow_decide_logins(json, int) SET enable_seqscan = off;
ALTER FUNCTION netflow_authorize_requests(json, json, int) SET enable_seqscan = off;
