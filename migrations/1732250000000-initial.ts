import type { MigrationInterface, QueryRunner } from "typeorm";

/** Accounts, organizations, boards, tasks, agents, tags and the activity trail. */
export class Initial1732250000000 implements MigrationInterface {
  name = "Initial1732250000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table users (
        id uuid primary key default gen_random_uuid(),
        username text not null check (length(username) between 3 and 64),
        email text,
        display_name text not null,
        password_hash text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
      create unique index users_username_key on users (lower(username));
      create unique index users_email_key on users (lower(email)) where email is not null;

      create table organizations (
        id uuid primary key default gen_random_uuid(),
        name text not null,
        slug text not null unique,
        created_at timestamptz not null default now()
      );

      create table memberships (
        org_id uuid not null references organizations(id) on delete cascade,
        user_id uuid not null references users(id) on delete cascade,
        role text not null check (role in ('owner','admin','member','viewer')),
        created_at timestamptz not null default now(),
        primary key (org_id, user_id)
      );
      create index memberships_user_idx on memberships (user_id);

      create table sessions (
        id text primary key,
        user_id uuid not null references users(id) on delete cascade,
        active_org_id uuid references organizations(id) on delete set null,
        expires_at timestamptz not null,
        created_at timestamptz not null default now()
      );
      create index sessions_user_idx on sessions (user_id);

      create table invites (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organizations(id) on delete cascade,
        token_hash text not null unique,
        role text not null check (role in ('admin','member','viewer')),
        created_by uuid references users(id) on delete set null,
        expires_at timestamptz not null,
        accepted_at timestamptz,
        accepted_by uuid references users(id) on delete set null,
        created_at timestamptz not null default now()
      );
      create index invites_org_idx on invites (org_id);

      create table api_tokens (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organizations(id) on delete cascade,
        name text not null,
        token_hash text not null unique,
        prefix text not null,
        created_by uuid references users(id) on delete set null,
        last_used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz not null default now()
      );
      create index api_tokens_org_idx on api_tokens (org_id);

      create table board_groups (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organizations(id) on delete cascade,
        name text not null,
        position integer not null default 0,
        created_at timestamptz not null default now()
      );
      create index board_groups_org_idx on board_groups (org_id);

      create table boards (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organizations(id) on delete cascade,
        group_id uuid references board_groups(id) on delete set null,
        name text not null,
        description text not null default '',
        objective text not null default '',
        is_default boolean not null default false,
        gateway_id uuid,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
      create index boards_org_idx on boards (org_id);
      create unique index boards_one_default_per_org on boards (org_id) where is_default;

      create table agents (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organizations(id) on delete cascade,
        name text not null,
        role text not null check (role in ('Main','Dev','Research','Ops')),
        status text not null check (status in ('online','offline','busy')),
        last_active_at timestamptz not null default now(),
        avatar_color text not null,
        source text not null default 'manual' check (source in ('manual','gateway')),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
      create index agents_org_idx on agents (org_id);

      create table tags (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organizations(id) on delete cascade,
        name text not null,
        color text not null,
        created_at timestamptz not null default now()
      );
      create unique index tags_org_name_key on tags (org_id, lower(name));

      create table tasks (
        id uuid primary key default gen_random_uuid(),
        org_id uuid not null references organizations(id) on delete cascade,
        board_id uuid not null references boards(id) on delete cascade,
        title text not null check (length(title) between 1 and 200),
        description text not null default '',
        status text not null check (status in ('backlog','todo','in-progress','review','done')),
        priority text not null check (priority in ('low','medium','high','critical')),
        assignee_agent_id uuid references agents(id) on delete set null,
        due_date date,
        position double precision not null default 0,
        created_by text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
      create index tasks_board_status_idx on tasks (board_id, status, position);
      create index tasks_org_status_idx on tasks (org_id, status);
      create index tasks_assignee_idx on tasks (assignee_agent_id);

      create table task_tags (
        task_id uuid not null references tasks(id) on delete cascade,
        tag_id uuid not null references tags(id) on delete cascade,
        primary key (task_id, tag_id)
      );
      create index task_tags_tag_idx on task_tags (tag_id);

      create table activity_events (
        id bigserial primary key,
        org_id uuid not null references organizations(id) on delete cascade,
        type text not null,
        message text not null,
        actor_type text not null check (actor_type in ('user','token','system','agent')),
        actor_id text,
        actor_name text not null,
        board_id uuid,
        task_id uuid,
        agent_id uuid,
        data jsonb not null default '{}'::jsonb,
        created_at timestamptz not null default now()
      );
      create index activity_events_org_id_idx on activity_events (org_id, id desc);
      create index activity_events_org_created_idx on activity_events (org_id, created_at);

      create table rate_limits (
        key text primary key,
        count integer not null,
        window_start timestamptz not null
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      drop table if exists rate_limits, activity_events, task_tags, tasks, tags, agents, boards,
        board_groups, api_tokens, invites, sessions, memberships, organizations, users cascade;
    `);
  }
}
