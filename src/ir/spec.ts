/**
 * The Kubeflow Pipelines v2 IR (`PipelineSpec`, schemaVersion 2.1.0) as one runtime
 * schema. The TypeScript types are derived from it, so the compiler, the engine and the
 * server agree on one shape.
 *
 * Objects are loose: fields Weft does not model (platform-specific extensions, newer
 * KFP fields) survive a parse/serialize round trip unchanged.
 */
import { z } from "zod";

/** KFP `ParameterType.ParameterTypeEnum`. */
export const ParameterTypeSchema = z.enum([
  "PARAMETER_TYPE_ENUM_UNSPECIFIED",
  "NUMBER_DOUBLE",
  "NUMBER_INTEGER",
  "STRING",
  "BOOLEAN",
  "LIST",
  "STRUCT",
  "TASK_FINAL_STATUS",
  "TASK_CONFIG",
]);
export type ParameterType = z.infer<typeof ParameterTypeSchema>;

/** A JSON value as KFP stores constants and defaults (`google.protobuf.Value`). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export const JsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(JsonValueSchema),
    z.record(z.string(), JsonValueSchema),
  ]),
);

export const ArtifactTypeSchemaSchema = z.looseObject({
  schemaTitle: z.string().optional(),
  schemaUri: z.string().optional(),
  instanceSchema: z.string().optional(),
  schemaVersion: z.string().optional(),
});
export type ArtifactTypeSchema = z.infer<typeof ArtifactTypeSchemaSchema>;

export const ParameterSpecSchema = z.looseObject({
  parameterType: ParameterTypeSchema,
  defaultValue: JsonValueSchema.optional(),
  isOptional: z.boolean().optional(),
  description: z.string().optional(),
});
export type ParameterSpec = z.infer<typeof ParameterSpecSchema>;

export const ArtifactSpecSchema = z.looseObject({
  artifactType: ArtifactTypeSchemaSchema,
  isArtifactList: z.boolean().optional(),
  isOptional: z.boolean().optional(),
  description: z.string().optional(),
});
export type ArtifactSpec = z.infer<typeof ArtifactSpecSchema>;

export const InputDefinitionsSchema = z.looseObject({
  parameters: z.record(z.string(), ParameterSpecSchema).optional(),
  artifacts: z.record(z.string(), ArtifactSpecSchema).optional(),
});
export type InputDefinitions = z.infer<typeof InputDefinitionsSchema>;

export const OutputDefinitionsSchema = z.looseObject({
  parameters: z
    .record(z.string(), z.looseObject({ parameterType: ParameterTypeSchema, description: z.string().optional() }))
    .optional(),
  artifacts: z.record(z.string(), ArtifactSpecSchema).optional(),
});
export type OutputDefinitions = z.infer<typeof OutputDefinitionsSchema>;

const TaskOutputParameterSchema = z.looseObject({ producerTask: z.string(), outputParameterKey: z.string() });
const TaskOutputArtifactSchema = z.looseObject({ producerTask: z.string(), outputArtifactKey: z.string() });

/** Where a task input parameter's value comes from (`TaskInputsSpec.InputParameterSpec`). */
export const InputParameterSpecSchema = z.looseObject({
  componentInputParameter: z.string().optional(),
  taskOutputParameter: TaskOutputParameterSchema.optional(),
  runtimeValue: z.looseObject({ constant: JsonValueSchema.optional() }).optional(),
  taskFinalStatus: z.looseObject({ producerTask: z.string() }).optional(),
  parameterExpressionSelector: z.string().optional(),
});
export type InputParameterSpec = z.infer<typeof InputParameterSpecSchema>;

/** Where a task input artifact comes from (`TaskInputsSpec.InputArtifactSpec`). */
export const InputArtifactSpecSchema = z.looseObject({
  componentInputArtifact: z.string().optional(),
  taskOutputArtifact: TaskOutputArtifactSchema.optional(),
});
export type InputArtifactSpec = z.infer<typeof InputArtifactSpecSchema>;

export const TaskInputsSpecSchema = z.looseObject({
  parameters: z.record(z.string(), InputParameterSpecSchema).optional(),
  artifacts: z.record(z.string(), InputArtifactSpecSchema).optional(),
});
export type TaskInputsSpec = z.infer<typeof TaskInputsSpecSchema>;

export const RetryPolicySchema = z.looseObject({
  maxRetryCount: z.number().int().optional(),
  backoffDuration: z.string().optional(),
  backoffFactor: z.number().optional(),
  backoffMaxDuration: z.string().optional(),
});
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

export const TriggerStrategySchema = z.enum([
  "TRIGGER_STRATEGY_UNSPECIFIED",
  "ALL_UPSTREAM_TASKS_SUCCEEDED",
  "ALL_UPSTREAM_TASKS_COMPLETED",
]);

export const PipelineTaskSpecSchema = z.looseObject({
  taskInfo: z.looseObject({ name: z.string() }),
  inputs: TaskInputsSpecSchema.optional(),
  dependentTasks: z.array(z.string()).optional(),
  cachingOptions: z.looseObject({ enableCache: z.boolean().optional(), cacheKey: z.string().optional() }).optional(),
  componentRef: z.looseObject({ name: z.string() }),
  triggerPolicy: z
    .looseObject({ condition: z.string().optional(), strategy: TriggerStrategySchema.optional() })
    .optional(),
  parameterIterator: z
    .looseObject({
      items: z.looseObject({ raw: z.string().optional(), inputParameter: z.string().optional() }),
      itemInput: z.string(),
    })
    .optional(),
  artifactIterator: z
    .looseObject({ items: z.looseObject({ inputArtifact: z.string() }), itemInput: z.string() })
    .optional(),
  iteratorPolicy: z.looseObject({ parallelismLimit: z.number().int().optional() }).optional(),
  retryPolicy: RetryPolicySchema.optional(),
});
export type PipelineTaskSpec = z.infer<typeof PipelineTaskSpecSchema>;

const ArtifactSelectorSchema = z.looseObject({ producerSubtask: z.string(), outputArtifactKey: z.string() });
const ParameterSelectorSchema = z.looseObject({ producerSubtask: z.string(), outputParameterKey: z.string() });

/** How a DAG's outputs are taken from its sub-tasks (`DagOutputsSpec`). */
export const DagOutputsSpecSchema = z.looseObject({
  artifacts: z
    .record(z.string(), z.looseObject({ artifactSelectors: z.array(ArtifactSelectorSchema).optional() }))
    .optional(),
  parameters: z
    .record(
      z.string(),
      z.looseObject({
        valueFromParameter: ParameterSelectorSchema.optional(),
        valueFromOneof: z.looseObject({ parameterSelectors: z.array(ParameterSelectorSchema).optional() }).optional(),
      }),
    )
    .optional(),
});
export type DagOutputsSpec = z.infer<typeof DagOutputsSpecSchema>;

export const DagSpecSchema = z.looseObject({
  tasks: z.record(z.string(), PipelineTaskSpecSchema).optional(),
  outputs: DagOutputsSpecSchema.optional(),
});
export type DagSpec = z.infer<typeof DagSpecSchema>;

export const ComponentSpecSchema = z.looseObject({
  inputDefinitions: InputDefinitionsSchema.optional(),
  outputDefinitions: OutputDefinitionsSchema.optional(),
  dag: DagSpecSchema.optional(),
  executorLabel: z.string().optional(),
  description: z.string().optional(),
});
export type ComponentSpec = z.infer<typeof ComponentSpecSchema>;

export const ResourcesSchema = z.looseObject({
  cpuLimit: z.number().optional(),
  memoryLimit: z.number().optional(),
  cpuRequest: z.number().optional(),
  memoryRequest: z.number().optional(),
  accelerator: z
    .looseObject({
      type: z.string().optional(),
      count: z.union([z.string(), z.number()]).optional(),
      resourceType: z.string().optional(),
      resourceCount: z.string().optional(),
    })
    .optional(),
  resourceCpuLimit: z.string().optional(),
  resourceMemoryLimit: z.string().optional(),
  resourceCpuRequest: z.string().optional(),
  resourceMemoryRequest: z.string().optional(),
});
export type Resources = z.infer<typeof ResourcesSchema>;

export const ContainerSpecSchema = z.looseObject({
  image: z.string(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional(),
  resources: ResourcesSchema.optional(),
});
export type ContainerSpec = z.infer<typeof ContainerSpecSchema>;

export const ImporterSpecSchema = z.looseObject({
  artifactUri: z.looseObject({ constant: JsonValueSchema.optional(), runtimeParameter: z.string().optional() }),
  typeSchema: ArtifactTypeSchemaSchema,
  reimport: z.boolean().optional(),
  metadata: z.record(z.string(), JsonValueSchema).optional(),
  downloadToWorkspace: z.boolean().optional(),
});
export type ImporterSpec = z.infer<typeof ImporterSpecSchema>;

export const ExecutorSpecSchema = z.looseObject({
  container: ContainerSpecSchema.optional(),
  importer: ImporterSpecSchema.optional(),
  resolver: z.looseObject({}).optional(),
});
export type ExecutorSpec = z.infer<typeof ExecutorSpecSchema>;

export const PipelineSpecSchema = z.looseObject({
  pipelineInfo: z.looseObject({
    name: z.string().min(1),
    displayName: z.string().optional(),
    description: z.string().optional(),
  }),
  deploymentSpec: z.looseObject({ executors: z.record(z.string(), ExecutorSpecSchema).optional() }).optional(),
  sdkVersion: z.string().optional(),
  schemaVersion: z.string(),
  components: z.record(z.string(), ComponentSpecSchema).optional(),
  root: ComponentSpecSchema,
  defaultPipelineRoot: z.string().optional(),
});
export type PipelineSpec = z.infer<typeof PipelineSpecSchema>;

/** The second YAML document KFP writes for Kubernetes-specific settings (`PlatformSpec`). */
export const PlatformSpecSchema = z.looseObject({
  platforms: z.record(z.string(), z.looseObject({})),
});
export type PlatformSpec = z.infer<typeof PlatformSpecSchema>;

/** A pipeline file as KFP writes it: the PipelineSpec and, optionally, a PlatformSpec. */
export interface PipelinePackage {
  pipelineSpec: PipelineSpec;
  platformSpec?: PlatformSpec;
}
