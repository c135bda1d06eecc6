/** Light/dark theme: follows the system unless the user picked one (remembered locally). */
import { useEffect, useState } from "react";

/** The user's choice. */
export type ThemeChoice = "system" | "light" | "dark";

const KEY = "weft.theme";

function stored(): ThemeChoice {
  const v = window.localStorage.getItem(KEY);
  return v === "light" || v === "dark" ? v : "system";
}

/** The theme choice and a setter that applies it to `<html data-theme>`. */
export function useTheme(): [ThemeChoice, (t: ThemeChoice) => void] {
  const [theme, setTheme] = useState<ThemeChoice>(stored);
  useEffect(() => {
    const root = document.documentElement;
    if (theme === "system") {
      root.removeAttribute("data-theme");
      window.localStorage.removeItem(KEY);
    } else {
      root.setAttribute("data-theme", theme);
      window.localStorage.setItem(KEY, theme);
    }
  }, [theme]);
  return [theme, setTheme];
}

/** Whether the page is currently dark (explicitly or by system preference). */
export function isDark(): boolean {
  const t = document.documentElement.getAttribute("data-theme");
  if (t) return t === "dark";
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false;
}
