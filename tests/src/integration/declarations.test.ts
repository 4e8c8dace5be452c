import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// `stripInternal` keeps `@internal` members out of the published .d.ts. This compiles a
// user's module against what the build (run before the suite) emitted: the packages are
// imported by name and resolved through node_modules to their `types`, without the
// `skein-source` condition the rest of the suite uses, so TypeScript sees what an installed
// package shows.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGES = ['@skein/core', '@skein/workers', '@skein/net', '@skein/console'] as const;
/** Entries a user may import: each package's own, and the kernel @skein/workers builds on. */
const ENTRIES = [...PACKAGES, '@skein/core/internal'] as const;

/**
 * The exported classes users may construct, with the parameters of their public
 * constructor (`?` optional, `...` rest, overloads joined by ` | `). Every other exported
 * class must declare a private or protected constructor: one left out of the .d.ts (an
 * `@internal` constructor) reads as a public zero-argument one, so `new MutexGuard()` would
 * type-check and then break at run time.
 */
const PUBLIC_CONSTRUCTORS: Record<string, string> = {
  // @skein/core
  Builder: '', // what Runtime.builder() returns (Tokio's Builder::new_current_thread)
  TaskBuilder: '', // what taskBuilder() returns (Tokio's task::Builder::new)
  JoinSet: '', // API.md: JoinSet<T> (Tokio's JoinSet::new)
  TaskLocal: '', // what taskLocal() returns
  CancellationToken: 'parent?', // API.md: CancellationToken; a parent makes a child token
  TaskTracker: '', // API.md: TaskTracker
  Mutex: 'value', // API.md: Mutex<T>
  RwLock: 'value, opts?', // API.md: RwLock(value, { maxReaders })
  Semaphore: 'permits', // API.md: Semaphore(permits)
  Notify: '', // API.md: Notify
  Barrier: 'n', // API.md: Barrier(n)
  OnceCell: '...init', // API.md: OnceCell<T>, empty or with a value
  // The error classes (API.md: "All error classes are exported from @skein/core"). Like
  // Tokio's error types, users may build them: tests, adapters, rethrowing.
  SkeinError: 'code, message, options?',
  Cancelled: 'message?',
  Elapsed: 'ms?',
  NoRuntimeError: 'what',
  RuntimeShutdownError: 'what?',
  NotSendableError: 'where',
  SerializationError: 'what, cause?',
  TaskModuleSideEffectError: 'what, moduleUrl',
  JoinError: 'kind, taskId, cause?',
  SendError: 'value, message?',
  TrySendError: 'kind, value',
  SendTimeoutError: 'kind, value',
  RecvError: 'kind, lagged?',
  TryRecvError: 'kind, lagged?',
  AcquireError: '',
  TryAcquireError: 'kind',
  TryLockError: 'what?',
  AlreadyReleasedError: 'what?',
  SetError: 'kind, value',
  // @skein/workers
  SharedMutex: 'value?, opts?', // API.md: SharedMutex<T>(value?, opts?: { maxBytes })
  SharedRwLock: 'value?, opts?', // API.md: SharedRwLock<T>(value?, opts?: { maxBytes, maxReaders })
  SharedSemaphore: 'permits, opts?', // API.md: SharedSemaphore(permits)
  SharedNotify: 'opts?', // API.md: SharedNotify()
  SharedBarrier: 'n', // API.md: SharedBarrier(n)
  SharedOnceCell: 'opts?', // API.md: SharedOnceCell<T>(opts?)
  BlockingPool: 'opts?', // the standalone pool the workers README documents
  WorkerCrashedError: 'worker, reason, detail, exitCode?',
  NestedRuntimeError: 'what?',
  BlockingPoolError: 'kind, options?',
  // @skein/net
  Router: '', // API.md: new Router()
  SocketClosedError: 'what',
  UnexpectedEofError: 'bytesRead, wanted',
  WriteAfterShutdownError: '',
  AcceptModeUnsupportedError: 'mode, why',
  PayloadTooLargeError: 'limit',
  // @skein/console
  PromClientMissingError: 'cause',
};

const { config } = ts.readConfigFile(`${root}tsconfig.base.json`, (f) => readFileSync(f, 'utf8'));
const options: ts.CompilerOptions = {
  ...ts.convertCompilerOptionsFromJson(config.compilerOptions, root).options,
  noEmit: true,
  composite: false,
  declaration: false,
  declarationMap: false,
  sourceMap: false,
};

/** A user's module in tests/, whose node_modules links every package. */
const consumer = `${root}tests/src/integration/published_consumer.ts`;

/** Parsed declarations, shared by both compilations so the second reuses the first's. */
const parsed = new Map<string, ts.SourceFile | undefined>();

/** Compile `text` as the consumer module. */
function compile(text: string, old?: ts.Program): ts.Program {
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, version, ...rest) => {
    if (name === consumer) return ts.createSourceFile(name, text, version);
    if (!parsed.has(name)) parsed.set(name, getSourceFile(name, version, ...rest));
    return parsed.get(name);
  };
  host.fileExists = (name) => name === consumer || fileExists(name);
  return ts.createProgram([consumer], options, host, old);
}

/** `ns0`, `ns1`, ... for ENTRIES, in order. */
const program = compile(ENTRIES.map((p, i) => `import * as ns${i} from '${p}';`).join('\n'));
const checker = program.getTypeChecker();

/** The published .d.ts files the program loaded, by package directory, e.g. `core/task/join_handle.d.ts`. */
const declarations = new Map(
  program
    .getSourceFiles()
    .filter((f) => f.fileName.startsWith(`${root}packages/`) && f.fileName.includes('/dist/'))
    .map((f) => [relative(`${root}packages`, f.fileName).replace('/dist/', '/'), f]),
);

interface ExportedClass {
  pkg: string;
  name: string;
  /** The construct signatures' parameters, as PUBLIC_CONSTRUCTORS writes them. */
  params: string;
  /** 'public' when any signature is (an implicit constructor is public). */
  visibility: 'public' | 'protected' | 'private';
}

/** Every class exported by name from each package's entry. */
function exportedClasses(): ExportedClass[] {
  const consumerFile = program.getSourceFile(consumer)!;
  const classes: ExportedClass[] = [];
  for (const [i, pkg] of PACKAGES.entries()) {
    const decl = consumerFile.statements[i] as ts.ImportDeclaration;
    const mod = checker.getSymbolAtLocation(decl.moduleSpecifier)!;
    for (const exported of checker.getExportsOfModule(mod)) {
      const sym = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (!(sym.flags & ts.SymbolFlags.Class)) continue;
      const sigs = checker.getSignaturesOfType(checker.getTypeOfSymbol(sym), ts.SignatureKind.Construct);
      const visibilities = sigs.map((sig) => {
        const d = sig.getDeclaration() as ts.SignatureDeclaration | undefined;
        const flags = d === undefined ? 0 : ts.getCombinedModifierFlags(d);
        return flags & ts.ModifierFlags.Private
          ? 'private'
          : flags & ts.ModifierFlags.Protected
            ? 'protected'
            : 'public';
      });
      const params = sigs
        .map((sig) =>
          sig.parameters
            .map((p) => {
              const d = p.valueDeclaration as ts.ParameterDeclaration;
              return `${d.dotDotDotToken ? '...' : ''}${p.name}${d.questionToken || d.initializer ? '?' : ''}`;
            })
            .join(', '),
        )
        .join(' | ');
      const visibility = visibilities.includes('public')
        ? 'public'
        : visibilities.includes('protected')
          ? 'protected'
          : 'private';
      classes.push({ pkg, name: exported.name, params, visibility });
    }
  }
  return classes;
}

describe('the published declarations of @skein/core, @skein/workers, @skein/net and @skein/console', () => {
  const classes = exportedClasses();

  it('are what the program compiled against', () => {
    expect(program.getSemanticDiagnostics(program.getSourceFile(consumer))).toEqual([]);
    expect([...declarations.keys()]).toEqual(
      expect.arrayContaining([
        'core/index.d.ts',
        'core/task/join_handle.d.ts',
        'core/runtime/runtime.d.ts',
        'core/runtime/handle.d.ts',
        'workers/index.d.ts',
        'net/index.d.ts',
        'console/index.d.ts',
      ]),
    );
  });

  it('carry no @internal declaration', () => {
    const tagged = [...declarations].filter(([, f]) => f.text.includes('@internal')).map(([name]) => name);
    expect(tagged).toEqual([]);
  });

  it('still declare the classes whose members were stripped', () => {
    // A tag in a class's own doc comment would strip the whole class, not just a member.
    const names = classes.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['Runtime', 'Handle', 'JoinHandle', 'AbortHandle', 'Builder']));
  });

  it('hide the task a handle wraps', () => {
    const joinHandle = declarations.get('core/task/join_handle.d.ts')!.text;
    const cls = joinHandle.slice(joinHandle.indexOf('export declare class JoinHandle'));
    expect(cls).not.toMatch(/\breadonly target\b/);
  });

  it('give a public constructor only to the classes users may construct', () => {
    const unexpected = classes
      .filter((c) => c.visibility === 'public' && !Object.hasOwn(PUBLIC_CONSTRUCTORS, c.name))
      .map((c) => `${c.pkg} ${c.name}: public constructor(${c.params})`);
    expect(unexpected).toEqual([]);
  });

  it('keep the public constructors users may call as listed', () => {
    const found = new Map(classes.map((c) => [c.name, c]));
    const drifted = Object.entries(PUBLIC_CONSTRUCTORS)
      .filter(([name, params]) => found.get(name)?.visibility !== 'public' || found.get(name)?.params !== params)
      .map(([name]) => {
        const c = found.get(name);
        return c === undefined ? `${name}: not exported` : `${name}: ${c.visibility} constructor(${c.params})`;
      });
    expect(drifted).toEqual([]);
  });

  it("reject `new` from a user's module for every other class", () => {
    const hidden = classes.filter((c) => !Object.hasOwn(PUBLIC_CONSTRUCTORS, c.name));
    expect(hidden.map((c) => c.name)).toEqual(expect.arrayContaining(['MutexGuard', 'TcpStream', 'SharedPermit']));
    // One `new` a line, after one import a line: line i + ENTRIES.length is hidden[i].
    const imports = PACKAGES.map((p, i) => `import * as ns${i} from '${p}';`);
    const lines = hidden.map((c) => `new ns${PACKAGES.indexOf(c.pkg as (typeof PACKAGES)[number])}.${c.name}();`);
    const text = [...imports, '', ...lines].join('\n');
    const user = compile(text, program);
    const file = user.getSourceFile(consumer)!;
    const codes = new Map<string, number[]>();
    const other: string[] = [];
    for (const d of [...user.getSyntacticDiagnostics(file), ...user.getSemanticDiagnostics(file)]) {
      const line = file.getLineAndCharacterOfPosition(d.start!).line - imports.length - 1;
      const c = hidden[line];
      if (c === undefined) other.push(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      else codes.set(c.name, [...(codes.get(c.name) ?? []), d.code]);
    }
    expect(other).toEqual([]);
    // TS2673: "Constructor of class 'X' is private"; TS2674: "... is protected".
    const accepted = hidden
      .map((c) => `${c.name}: ${(codes.get(c.name) ?? []).map((n) => `TS${n}`).join(', ') || 'no error'}`)
      .filter((line) => !/: TS267[34]$/.test(line));
    expect(accepted).toEqual([]);
  });
});
