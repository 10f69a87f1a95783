import { createContext, useContext } from "react";

/*
 * This request's CSP nonce (app/lib/security-headers.server.ts), for Remix's inline scripts. Only
 * the server render has one; in the browser the context is empty, which is what React expects
 * when it hydrates the (nonce-stripped) attributes.
 */
const NonceContext = createContext<string | undefined>(undefined);

export const NonceProvider = NonceContext.Provider;

export function useNonce(): string | undefined {
  return useContext(NonceContext);
}
