-- Roles and databases for docker compose (the postgres image runs this once, on an empty volume).
-- The native runner (infra/stack) executes the same statements idempotently; the registry in
-- infra/stack/src/services.ts is the source of truth and services.spec.ts fails if this file
-- drifts from it. Each service owns one database through its own role and can connect to
-- nothing else; Debezium connects as the `postgres` superuser (REPLICATION + publications).

-- order-service
CREATE ROLE paystate_order LOGIN PASSWORD 'paystate_order';
CREATE DATABASE paystate_order OWNER paystate_order ENCODING 'UTF8';
REVOKE CONNECT ON DATABASE paystate_order FROM PUBLIC;

-- payment-service
CREATE ROLE paystate_payment LOGIN PASSWORD 'paystate_payment';
CREATE DATABASE paystate_payment OWNER paystate_payment ENCODING 'UTF8';
REVOKE CONNECT ON DATABASE paystate_payment FROM PUBLIC;

-- ledger-service
CREATE ROLE paystate_ledger LOGIN PASSWORD 'paystate_ledger';
CREATE DATABASE paystate_ledger OWNER paystate_ledger ENCODING 'UTF8';
REVOKE CONNECT ON DATABASE paystate_ledger FROM PUBLIC;

-- fulfilment-service
CREATE ROLE paystate_fulfilment LOGIN PASSWORD 'paystate_fulfilment';
CREATE DATABASE paystate_fulfilment OWNER paystate_fulfilment ENCODING 'UTF8';
REVOKE CONNECT ON DATABASE paystate_fulfilment FROM PUBLIC;

-- notification-service
CREATE ROLE paystate_notification LOGIN PASSWORD 'paystate_notification';
CREATE DATABASE paystate_notification OWNER paystate_notification ENCODING 'UTF8';
REVOKE CONNECT ON DATABASE paystate_notification FROM PUBLIC;

-- processor-sim (the simulated card processor's own records)
CREATE ROLE paystate_processor LOGIN PASSWORD 'paystate_processor';
CREATE DATABASE paystate_processor OWNER paystate_processor ENCODING 'UTF8';
REVOKE CONNECT ON DATABASE paystate_processor FROM PUBLIC;

-- shared databases: superusers only
REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
REVOKE CONNECT ON DATABASE template1 FROM PUBLIC;
