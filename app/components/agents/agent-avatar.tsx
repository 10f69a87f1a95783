/** The agent's colour as a round initial; the colour is the one the office and boards use too. */
export function AgentAvatar({ name, color, size = "md" }: { name: string; color: string; size?: "sm" | "md" | "lg" }) {
  const dimensions = { sm: "h-6 w-6 text-[10px]", md: "h-8 w-8 text-xs", lg: "h-12 w-12 text-base" }[size];
  return (
    <span
      aria-hidden
      className={`grid shrink-0 place-items-center rounded-full font-semibold uppercase ${dimensions}`}
      style={{ background: color + "33", color, boxShadow: `inset 0 0 0 2px ${color}` }}
    >
      {name.slice(0, 1)}
    </span>
  );
}
