import type { FieldMetadata } from "@conform-to/react";
import { SelectField, TextField } from "~/components/ui/form";
import { AGENT_ROLES, AGENT_STATUSES } from "~/lib/constants";

/** The AgentSchema fields, shared by the create form and the edit page. */
export function AgentFields({
  fields,
  autoFocus,
}: {
  fields: { name: FieldMetadata<string>; role: FieldMetadata<string>; status: FieldMetadata<string>; avatarColor: FieldMetadata<string | undefined> };
  autoFocus?: boolean;
}) {
  return (
    <>
      <TextField label="Name" field={fields.name} placeholder="e.g. Nova" autoFocus={autoFocus} />
      <div className="grid grid-cols-2 gap-3">
        <SelectField label="Role" field={fields.role} options={AGENT_ROLES.map((role) => ({ value: role, label: role }))} />
        <SelectField
          label="Status"
          field={fields.status}
          options={AGENT_STATUSES.map((status) => ({ value: status, label: status[0]!.toUpperCase() + status.slice(1) }))}
        />
      </div>
      <TextField label="Avatar colour" field={fields.avatarColor} type="color" />
    </>
  );
}
