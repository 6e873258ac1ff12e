-- Run once as the admin user (the secret of the cluster), then let the IAM user in.
create table if not exists orders (
  id text primary key,
  customer_id text not null,
  total_cents bigint not null check (total_cents >= 0),
  correlation_id text,
  created_at timestamptz not null default now()
);
create user eda_app;
grant rds_iam to eda_app;
-- userSetupSql('postgres', 'eda_app', 5000): the statement timeout (EDA_STATEMENT_TIMEOUT_MS) as the user's default;
-- the runtime sends no SET, which would pin its RDS Proxy sessions.
alter role eda_app set statement_timeout = 5000;
grant select, insert on orders to eda_app;
-- the writer records idempotency keys (created on first use, or ahead of time with migrationSql('postgres'))
grant create on schema public to eda_app;
