import { getInputProps, getSelectProps, getTextareaProps, type FieldMetadata } from "@conform-to/react";
import { useFetchers, useNavigation } from "@remix-run/react";
import { LoaderCircle } from "lucide-react";
import { useRef, type ReactNode } from "react";
import { formIdentity, isOwnSubmission } from "./pending-submit";

const inputClass =
  "w-full rounded-md border border-border bg-panel-2 px-3 py-2 text-sm text-fg placeholder:text-muted/70 focus:border-accent focus:outline-none focus:ring-2 focus:ring-accent/30 aria-[invalid=true]:border-danger";

export function FieldError({ id, errors }: { id: string; errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <p id={id} className="mt-1 text-xs text-danger" role="alert">
      {errors.join(". ")}
    </p>
  );
}

type InputType = "text" | "password" | "email" | "date" | "color" | "url" | "number" | "hidden";

export function TextField({
  label,
  field,
  type = "text",
  hint,
  ...rest
}: {
  label: string;
  field: FieldMetadata<any>;
  type?: InputType;
  hint?: ReactNode;
} & Omit<React.InputHTMLAttributes<HTMLInputElement>, "type">) {
  const props = getInputProps(field, { type });
  return (
    <div>
      <label htmlFor={field.id} className="mb-1 block text-sm font-medium">
        {label}
      </label>
      <input {...props} {...rest} key={props.key} className={type === "color" ? "h-9 w-16 cursor-pointer rounded border border-border bg-panel-2" : inputClass} />
      {hint ? <p className="mt-1 text-xs text-muted">{hint}</p> : null}
      <FieldError id={field.errorId} errors={field.errors} />
    </div>
  );
}

export function TextAreaField({ label, field, rows = 4, hint }: { label: string; field: FieldMetadata<any>; rows?: number; hint?: ReactNode }) {
  const props = getTextareaProps(field);
  return (
    <div>
      <label htmlFor={field.id} className="mb-1 block text-sm font-medium">
        {label}
      </label>
      <textarea {...props} key={props.key} rows={rows} className={inputClass} />
      {hint ? <p className="mt-1 text-xs text-muted">{hint}</p> : null}
      <FieldError id={field.errorId} errors={field.errors} />
    </div>
  );
}

export function SelectField({
  label,
  field,
  options,
  placeholder,
}: {
  label: string;
  field: FieldMetadata<any>;
  options: Array<{ value: string; label: string }>;
  placeholder?: string;
}) {
  const props = getSelectProps(field);
  return (
    <div>
      <label htmlFor={field.id} className="mb-1 block text-sm font-medium">
        {label}
      </label>
      <select {...props} key={props.key} className={inputClass}>
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <FieldError id={field.errorId} errors={field.errors} />
    </div>
  );
}

export function FormError({ errors }: { errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <div role="alert" className="rounded-md border border-danger/40 bg-danger/10 px-3 py-2 text-sm text-danger">
      {errors.join(". ")}
    </div>
  );
}

type ButtonVariant = "primary" | "secondary" | "danger" | "ghost";

const buttonStyles: Record<ButtonVariant, string> = {
  primary: "bg-accent text-accent-fg hover:brightness-110",
  secondary: "border border-border bg-panel-2 text-fg hover:border-accent",
  danger: "border border-danger/50 bg-danger/10 text-danger hover:bg-danger/20",
  ghost: "text-muted hover:text-fg",
};

export function buttonClass(variant: ButtonVariant = "primary", className = "") {
  return `inline-flex shrink-0 items-center justify-center gap-1.5 whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium transition disabled:cursor-not-allowed disabled:opacity-60 ${buttonStyles[variant]} ${className}`;
}

/** The spinner every busy button shows (decorative: the button itself says aria-busy). */
export function Spinner({ className = "h-4 w-4" }: { className?: string }) {
  return <LoaderCircle aria-hidden className={`${className} animate-spin`} />;
}

/**
 * The app's button. A submit button (the default type) knows when its own form's request runs —
 * the page's navigation or any fetcher that was sent from its form (see pending-submit.ts) — and
 * is then disabled, aria-busy and shows a spinner (and `pendingLabel`, if given). Without
 * JavaScript it is a plain submit button. `pending` overrides the detection.
 */
export function Button({
  variant = "primary",
  className = "",
  pending,
  pendingLabel,
  children,
  disabled,
  type = "submit",
  ...props
}: React.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant; pending?: boolean; pendingLabel?: ReactNode }) {
  const ref = useRef<HTMLButtonElement>(null);
  const detected = useOwnSubmissionPending(ref, type === "submit" && pending === undefined);
  const busy = pending ?? detected;
  return (
    <button
      {...props}
      ref={ref}
      type={type}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      className={buttonClass(variant, className)}
    >
      {busy ? <Spinner /> : null}
      {busy && pendingLabel ? pendingLabel : children}
    </button>
  );
}

function useOwnSubmissionPending(ref: React.RefObject<HTMLButtonElement>, enabled: boolean) {
  const navigation = useNavigation();
  const fetchers = useFetchers();
  const form = ref.current?.form;
  if (!enabled || !form) return false;
  if (navigation.state === "idle" && fetchers.every((f) => f.state === "idle")) return false;
  const identity = formIdentity(form, ref.current);
  return isOwnSubmission(identity, navigation) || fetchers.some((fetcher) => isOwnSubmission(identity, fetcher));
}

export const selectClass = inputClass;
