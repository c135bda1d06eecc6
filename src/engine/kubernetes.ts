/**
 * What the local engine makes of a task's Kubernetes settings (the `platforms.kubernetes`
 * document kfp-kubernetes writes, `deploymentSpec.executors[<label>]`). None has a local
 * meaning, and they fall in two kinds: those that only place or shape the task's pod
 * (node selector, affinity, tolerations, pod metadata, image pull settings, security
 * context, shared memory, a pod deadline), which are ignored with a note, and those that
 * give the task data it may need (secrets, config maps, volumes, pod fields as env, init
 * containers), which cannot be honoured here: the task runs without them and may fail,
 * or, with `strictResources`, fails before it starts. The pipeline's workspace
 * (`pipelineConfig.workspace`) is honoured (`{{$.workspace_path}}`) and is not listed.
 */
import type { PlatformSpec } from "../ir/index.ts";
import { type TaskFailure, taskFailure } from "./errors.ts";

/** Settings that only place or shape the pod: without a pod they mean nothing. */
const PLACEMENT: Readonly<Record<string, string>> = {
  nodeSelector: "node selector",
  nodeAffinity: "node affinity",
  podAffinity: "pod affinity",
  tolerations: "tolerations",
  podMetadata: "pod labels and annotations",
  imagePullSecret: "image pull secrets",
  imagePullPolicy: "image pull policy",
  securityContext: "security context",
  enabledSharedMemory: "shared memory size",
  activeDeadlineSeconds: "pod deadline (WEFT_TASK_TIMEOUT sets a local one)",
};

/** Settings that give the task data: what each leaves missing here. */
const DATA: Readonly<Record<string, (item: Record<string, unknown>) => string>> = {
  secretAsEnv: (i) => `env ${envNames(i.keyToEnv, "envVar")} from secret ${nameOf(i, "secretName")}`,
  secretAsVolume: (i) => `secret ${nameOf(i, "secretName")} at ${mount(i)}`,
  configMapAsEnv: (i) => `env ${envNames(i.keyToEnv, "envVar")} from config map ${nameOf(i, "configMapName")}`,
  configMapAsVolume: (i) => `config map ${nameOf(i, "configMapName")} at ${mount(i)}`,
  pvcMount: (i) => `volume claim ${nameOf(i, "pvcName")} at ${mount(i)}`,
  emptyDirMounts: (i) => `empty dir at ${mount(i)}`,
  genericEphemeralVolume: (i) => `ephemeral volume at ${mount(i)}`,
  fieldPathAsEnv: (i) =>
    `env ${typeof i.name === "string" ? i.name : "?"} from pod field ${String(i.fieldPath ?? "?")}`,
  initContainers: (i) => `init container ${typeof i.name === "string" ? i.name : "?"} (not run)`,
};

function envNames(list: unknown, key: string): string {
  const names = Array.isArray(list) ? list.map((e) => (e as Record<string, unknown>)?.[key]).filter(Boolean) : [];
  return names.length ? names.join(", ") : "?";
}

function nameOf(item: Record<string, unknown>, key: string): string {
  if (typeof item[key] === "string" && item[key] !== "") return `'${item[key]}'`;
  const param = item[`${key}Parameter`] as Record<string, unknown> | undefined;
  const constant = (param?.runtimeValue as Record<string, unknown> | undefined)?.constant;
  if (typeof constant === "string") return `'${constant}'`;
  return "(from an input)";
}

function mount(item: Record<string, unknown>): string {
  return typeof item.mountPath === "string" ? item.mountPath : "?";
}

/** A task's Kubernetes settings, sorted by what the local engine can do with them. */
export interface KubernetesSettings {
  /** Pod placement settings, ignored here: "node selector, tolerations". */
  ignored: string[];
  /** Data the task would get on a cluster and does not get here: "env PASSWORD from secret 'db'". */
  missing: string[];
  /** The same for settings marked `optional: true`, which a cluster also skips when absent. */
  optional: string[];
}

/** The Kubernetes settings of executor `label`, or undefined when it has none. */
export function kubernetesSettings(
  platformSpec: PlatformSpec | undefined,
  label: string | undefined,
): KubernetesSettings | undefined {
  const k8s = platformSpec?.platforms?.kubernetes as { deploymentSpec?: { executors?: Record<string, unknown> } };
  const config = label === undefined ? undefined : k8s?.deploymentSpec?.executors?.[label];
  if (!config || typeof config !== "object") return undefined;
  const out: KubernetesSettings = { ignored: [], missing: [], optional: [] };
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
    const describe = DATA[key];
    if (describe) {
      for (const item of Array.isArray(value) ? value : [value]) {
        (item?.optional === true ? out.optional : out.missing).push(describe(item ?? {}));
      }
    } else {
      out.ignored.push(PLACEMENT[key] ?? key);
    }
  }
  return out.ignored.length || out.missing.length || out.optional.length ? out : undefined;
}

/** kfp-kubernetes's volume claim steps: executors with these images and no command. */
const PVC_STEPS: Readonly<Record<string, string>> = {
  "argostub/createpvc": "creates a Kubernetes PersistentVolumeClaim (kfp-kubernetes CreatePVC)",
  "argostub/deletepvc": "deletes a Kubernetes PersistentVolumeClaim (kfp-kubernetes DeletePVC)",
};

/**
 * Why a container cannot run as a local process, or undefined when it can: one with no
 * command and no args runs its image's entrypoint on a cluster, which has no local
 * equivalent; kfp-kubernetes's volume claim steps are such containers, which KFP's
 * backend turns into Kubernetes API calls.
 */
export function unrunnableContainer(
  task: string,
  executor: string,
  container: { image: string; command?: string[]; args?: string[] },
): { code: "KUBERNETES_ONLY" | "COMMAND_MISSING"; message: string; action: string } | undefined {
  if ((container.command?.length ?? 0) > 0 || (container.args?.length ?? 0) > 0) return undefined;
  const image = container.image;
  const pvc = PVC_STEPS[image.replace(/[:@].*$/, "")];
  if (pvc) {
    return {
      code: "KUBERNETES_ONLY",
      message: `task '${task}' ${pvc}: creating, mounting and deleting Kubernetes volumes needs a Kubeflow cluster, and the local engine does not do it`,
      action:
        "run the pipeline on a Kubeflow cluster, or pass files between tasks as artifacts or through the pipeline workspace (dsl.WORKSPACE_PATH) to run it here",
    };
  }
  return {
    code: "COMMAND_MISSING",
    message: `task '${task}': executor '${executor}' (image '${image}') has no command and no args: on a cluster the image's own entrypoint runs, but the local engine runs a task's command line on this machine, not its image`,
    action:
      "give the component a command (and args) that runs on this machine, or run the pipeline on a Kubeflow cluster",
  };
}

/**
 * What a task's Kubernetes settings mean here: notes for its log (settings ignored, data
 * the task will not get), or, with `strict`, a `KUBERNETES_ONLY` failure when it needs
 * data only a cluster provides.
 */
export function kubernetesNotes(
  task: string,
  settings: KubernetesSettings | undefined,
  strict: boolean,
): { notes: string[] } | { failure: TaskFailure } {
  if (!settings) return { notes: [] };
  const missing = settings.missing.join("; ");
  // optional ones do not stop a strict run: a cluster runs the task without them as well
  if (strict && settings.missing.length > 0) {
    return {
      failure: taskFailure(
        "KUBERNETES_ONLY",
        `task '${task}' needs what only a Kubernetes cluster provides: ${missing} (--strict-resources)`,
        "run the pipeline on a Kubeflow cluster, or run without --strict-resources to run the task without them",
      ),
    };
  }
  const notes: string[] = [];
  if (settings.missing.length > 0) {
    notes.push(
      `Kubernetes settings not honoured: ${missing}. Only a Kubernetes cluster provides them, so the task runs without them and may fail; provide the values another way, run on a Kubeflow cluster, or use --strict-resources to stop such tasks before they start`,
    );
  }
  if (settings.optional.length > 0) {
    notes.push(
      `optional Kubernetes settings not honoured: ${settings.optional.join("; ")}. The task runs without them, as on a cluster where they are absent`,
    );
  }
  if (settings.ignored.length > 0) {
    notes.push(
      `Kubernetes settings ignored: ${settings.ignored.join(", ")}: they place the task's pod on a cluster, and here the task runs as a process on this machine`,
    );
  }
  return { notes };
}
