import type { FieldMetadata } from "@conform-to/react";
import { TextField } from "~/components/ui/form";

/**
 * The optional transcript folder of a gateway (up to 2026.7, whose transcripts are files). Only a
 * server whose operator set MC_TRANSCRIPT_ROOT offers it; otherwise the form says why it is absent.
 */
export function TranscriptFolderField({ field, root, current = null }: { field: FieldMetadata<string | undefined>; root: string | null; current?: string | null }) {
  if (!root) {
    return (
      <p className="text-xs text-muted">
        {current ? `Transcripts are read from ${current}. ` : ""}
        Reading a gateway's transcript files (OpenClaw up to 2026.7) is off on this server: its operator can allow a folder with MC_TRANSCRIPT_ROOT.
      </p>
    );
  }
  return (
    <TextField
      label="Transcript folder (optional)"
      field={field}
      placeholder={`${root.replace(/\/$/, "")}/home-lab`}
      autoComplete="off"
      hint={`For OpenClaw up to 2026.7: the gateway's state directory as this server sees it, inside ${root}. Its session files then feed this gateway's activity. Leave empty for newer gateways.`}
    />
  );
}
