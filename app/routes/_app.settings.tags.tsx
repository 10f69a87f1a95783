import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireOrg } from "~/auth/guards.server";
import { CreateTagForm } from "~/components/settings/create-tag-form";
import { SettingsErrorBoundary } from "~/components/settings/settings-error";
import { TagRow } from "~/components/settings/tag-row";
import { Tag } from "lucide-react";
import { EmptyState } from "~/components/ui/empty-state";
import { Card, Flash } from "~/components/ui/layout";
import { TAG_PALETTE } from "~/lib/constants";
import { parseForm, replyWithError } from "~/lib/forms.server";
import { baseVersionOf, changedFields, conflictReply, quoted, savedReply, type FieldChange } from "~/lib/edit-conflict";
import { isUuid, StaleVersionError } from "~/lib/http.server";
import type { Tag as TagRowType } from "~/db/entities";
import type { LiveHandle } from "~/components/live/live-provider";
import { topic } from "~/lib/topics";
import { TagSchema } from "~/lib/schemas";
import { dispatchIntent } from "~/lib/ui-route.server";
import { roleAtLeast } from "~/models/organization.server";
import { countTagUsage, createTag, deleteTag, listTags, updateTag } from "~/models/tag.server";

const UpdateTagSchema = TagSchema.extend({ tagId: z.string().uuid("Unknown tag") });
const TAG_FIELDS = ["name", "color"] as const;
type TagField = (typeof TAG_FIELDS)[number];
const DeleteTagSchema = z.object({ tagId: z.string().uuid("Unknown tag") });

export async function loader({ request }: LoaderFunctionArgs) {
  const { org, role } = await requireOrg(request);
  const [tags, usage] = await Promise.all([listTags(org.id), countTagUsage(org.id)]);
  return {
    canEdit: roleAtLeast(role, "member"),
    tags: tags.map((t) => ({ id: t.id, name: t.name, color: t.color, version: t.version, usage: usage[t.id] ?? 0 })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const { org, actor } = await requireOrg(request, "member");
  const formData = await request.formData();
  // which row the answer belongs to (only ever one of our ids, never an echo of arbitrary input)
  const sent = formData.get("tagId");
  const tagId = typeof sent === "string" && isUuid(sent) ? sent : "";
  return dispatchIntent(formData, {
    create: async () => {
      const intent = "create" as const;
      const submission = parseForm(formData, { schema: TagSchema });
      if (submission.status !== "success") return data({ intent, tagId, result: submission.reply() }, { status: 400 });
      try {
        const tag = await createTag({ orgId: org.id, name: submission.value.name, color: submission.value.color, actor });
        return { intent, tagId, result: submission.reply({ resetForm: true }), done: `Tag "${tag.name}" created.` };
      } catch (error) {
        const failed = replyWithError(submission, error);
        return data({ intent, tagId, result: failed.data }, failed.init ?? undefined);
      }
    },
    update: async () => {
      const intent = "update" as const;
      const submission = parseForm(formData, { schema: UpdateTagSchema });
      if (submission.status !== "success") return data({ intent, tagId, result: submission.reply() }, { status: 400 });
      // only what the person changed is written (ADR 017)
      const { tagId: id, ...all } = submission.value;
      const changed = changedFields(formData, TAG_FIELDS);
      try {
        const tag = await updateTag({ orgId: org.id, tagId: id, changes: Object.fromEntries(changed.map((f) => [f, all[f]])), actor, expectedVersion: baseVersionOf(formData) });
        return { intent, tagId, result: savedReply(submission), done: `Tag "${tag.name}" saved.` };
      } catch (error) {
        if (error instanceof StaleVersionError) {
          const stored = error.current as TagRowType;
          const describe = (field: TagField): FieldChange => (field === "name" ? { label: "name", shown: quoted(stored.name) } : { label: "colour", shown: stored.color });
          const result = conflictReply(submission.reply(), { what: "tag", formData, fields: TAG_FIELDS, current: { name: stored.name, color: stored.color }, changed, describe });
          return data({ intent, tagId, result }, { status: 409 });
        }
        const failed = replyWithError(submission, error);
        return data({ intent, tagId, result: failed.data }, failed.init ?? undefined);
      }
    },
    delete: async () => {
      const intent = "delete" as const;
      const submission = parseForm(formData, { schema: DeleteTagSchema });
      if (submission.status !== "success") return data({ intent, tagId, result: submission.reply() }, { status: 400 });
      try {
        await deleteTag({ orgId: org.id, tagId: submission.value.tagId, actor });
        return { intent, tagId, result: submission.reply(), done: "Tag deleted and removed from its tasks." };
      } catch (error) {
        const failed = replyWithError(submission, error);
        return data({ intent, tagId, result: failed.data }, failed.init ?? undefined);
      }
    },
  });
}

// a tag's edit records activity: the catalog follows edits made in another tab
export const handle: LiveHandle = { liveTopics: () => [topic.activity] };

export const meta: MetaFunction = () => [{ title: "Tags · Settings · Mission Control" }];

export default function TagSettings() {
  const { canEdit, tags } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const deleteErrors = actionData?.intent === "delete" ? Object.values(actionData.result?.error ?? {}).flatMap((e) => e ?? []) : [];
  return (
    <div className="space-y-4">
      {actionData && "done" in actionData ? <Flash>{actionData.done}</Flash> : null}
      {deleteErrors.length ? <Flash kind="error">{deleteErrors.join(". ")}</Flash> : null}
      {canEdit ? (
        <Card title="New tag">
          <CreateTagForm
            key={tags.length}
            lastResult={actionData?.intent === "create" && !("done" in actionData) ? actionData.result : undefined}
            defaultColor={TAG_PALETTE[tags.length % TAG_PALETTE.length]!}
          />
        </Card>
      ) : null}
      <Card title={`Tag catalog (${tags.length})`}>
        <p className="mb-2 text-sm text-muted">
          Tags typed on a task are added here automatically. Renaming or recolouring a tag changes it on every task that carries it.
          {canEdit ? null : " Viewers can see the catalog but not change it."}
        </p>
        {tags.length === 0 ? (
          <EmptyState compact icon={Tag} title="No tags yet">{canEdit ? "Create one above, or type tags on a task." : "Members create tags from tasks or here."}</EmptyState>
        ) : (
          <ul className="divide-y divide-border">
            {tags.map((tag) => (
              <TagRow
                key={tag.id}
                tag={tag}
                canEdit={canEdit}
                lastResult={actionData?.intent === "update" && actionData.tagId === tag.id ? actionData.result : undefined}
              />
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}

export const ErrorBoundary = SettingsErrorBoundary;
