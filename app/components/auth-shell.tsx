import type { ReactNode } from "react";

export function AuthShell({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center justify-center gap-2">
          <img src="/favicon.svg" alt="" className="h-8 w-8" />
          <span className="text-lg font-semibold tracking-tight">Mission Control</span>
        </div>
        <div className="rounded-xl border border-border bg-panel p-6 shadow-xl shadow-black/20">
          <h1 className="text-xl font-semibold">{title}</h1>
          {subtitle ? <p className="mb-5 mt-1 text-sm text-muted">{subtitle}</p> : <div className="mb-5" />}
          {children}
        </div>
      </div>
    </main>
  );
}
