import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import { DomainError } from "./http.server";

/*
 * A gateway's transcript folder: for gateways up to 2026.7, their OpenClaw state directory as this
 * host sees it (agents/<id>/sessions/*.jsonl are tailed into that gateway's sessions). Organization
 * admins set it, but only the host's operator decides which folders the app may read: the folder
 * must lie inside MC_TRANSCRIPT_ROOT, and with no root set the feature is off.
 */

export const TRANSCRIPT_FOLDER_FIELD = "transcriptDir";

export function transcriptRoot(): string | null {
  return process.env.MC_TRANSCRIPT_ROOT?.trim() || null;
}

const refuse = (message: string) => new DomainError(400, "invalid_transcript_dir", message, TRANSCRIPT_FOLDER_FIELD);

/** The folder's real path, or a 400 saying what is wrong with it. */
export async function checkTranscriptFolder(input: string): Promise<string> {
  const root = transcriptRoot();
  if (!root) throw refuse("Transcript folders are turned off on this server: its operator has to set MC_TRANSCRIPT_ROOT first.");
  if (!path.isAbsolute(input)) throw refuse("Use an absolute path, like /srv/openclaw/home-lab.");
  let real: string;
  try {
    real = await realpath(input);
  } catch {
    throw refuse(`There is no folder at ${input} on the Mission Control host.`);
  }
  const realRoot = await realpath(root).catch(() => path.resolve(root));
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
    throw refuse(`The folder must be inside ${root} (MC_TRANSCRIPT_ROOT), where this server's operator allows transcripts to be read.`);
  }
  if (!(await stat(real)).isDirectory()) throw refuse(`${input} is a file, not a folder.`);
  return real;
}
