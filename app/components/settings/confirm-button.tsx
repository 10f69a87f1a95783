import { Button } from "~/components/ui/form";

/**
 * Submit button for destructive row actions. With JavaScript it asks first; without, the form
 * (which carries its own hidden `intent`) goes straight through.
 */
export function ConfirmButton({
  question,
  children,
  variant = "danger",
  className = "",
}: {
  question: string;
  children: React.ReactNode;
  variant?: "danger" | "secondary" | "ghost";
  className?: string;
}) {
  return (
    <Button
      type="submit"
      variant={variant}
      className={`px-2 py-1 text-xs ${className}`}
      onClick={(event) => {
        if (!window.confirm(question)) event.preventDefault();
      }}
    >
      {children}
    </Button>
  );
}
