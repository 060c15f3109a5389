import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { tauriBackend } from "./backend";
import { BackendProvider } from "./context";
import "./fonts.css";
import "./styles.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <BackendProvider backend={tauriBackend}>
      <App />
    </BackendProvider>
  </StrictMode>,
);
