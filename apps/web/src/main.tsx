import "./zod-config.ts";
import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app.tsx";
import { startLiveInvalidation, type LiveState } from "./live/live-invalidation.ts";
import { createQueryClient } from "./queries/query-client.ts";
import "./styles.css";

const queryClient = createQueryClient();

function Root() {
  const [live, setLive] = useState<LiveState>("connecting");
  useEffect(() => startLiveInvalidation(queryClient, setLive), []);
  return (
    <QueryClientProvider client={queryClient}>
      <App live={live} />
    </QueryClientProvider>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
