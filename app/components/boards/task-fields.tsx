import type { FieldMetadata } from "@conform-to/react";
import { SelectField, TextAreaField, TextField } from "~/components/ui/form";
import { PRIORITY_LABELS, STATUS_LABELS, TASK_PRIORITIES, TASK_STATUSES } from "~/lib/constants";

export interface TaskFieldSet {
  title: FieldMetadata<any>;
  description: FieldMetadata<any>;
  status: FieldMetadata<any>;
  priority: FieldMetadata<any>;
  assigneeAgentId: FieldMetadata<any>;
  dueDate: FieldMetadata<any>;
  tags: FieldMetadata<any>;
}

/** The task fields shared by the "new task" form on a board and the task's edit page. */
export function TaskFields({
  fields,
  agents,
  tagNames,
}: {
  fields: TaskFieldSet;
  agents: Array<{ id: string; name: string }>;
  tagNames: string[];
}) {
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <div className="sm:col-span-2">
        <TextField label="Title" field={fields.title} placeholder="What needs doing?" />
      </div>
      <SelectField label="Status" field={fields.status} options={TASK_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))} />
      <SelectField label="Priority" field={fields.priority} options={TASK_PRIORITIES.map((p) => ({ value: p, label: PRIORITY_LABELS[p] }))} />
      <SelectField label="Assignee" field={fields.assigneeAgentId} placeholder="Unassigned" options={agents.map((a) => ({ value: a.id, label: a.name }))} />
      <TextField label="Due date" field={fields.dueDate} type="date" />
      <div className="sm:col-span-2">
        <TextField
          label="Tags"
          field={fields.tags}
          placeholder="backend, security"
          list="tag-suggestions"
          hint="Comma-separated. New tags are added to the organization's catalog."
        />
        <datalist id="tag-suggestions">
          {tagNames.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
      </div>
      <div className="sm:col-span-2">
        <TextAreaField label="Description" field={fields.description} rows={5} hint="Markdown is supported." />
      </div>
    </div>
  );
}
