/**
 * Builds the widget into dist/widget: stripe-cart.js (an ES module, what the server serves)
 * and stripe-cart.iife.js (the same for a classic <script>), each one self-contained file.
 */
import { minify } from 'terser';
import ts from 'typescript';
import { defineConfig, type Plugin } from 'vite';

/**
 * Minifiers leave template literals alone, so the indentation of every html`` and css``
 * template would ship. This squeezes runs of whitespace with a newline in them (layout
 * only, never meaningful in our markup or CSS) to one space, using the TypeScript parser to
 * find the literal parts exactly.
 */
function squeezeTemplates(): Plugin {
  return {
    name: 'stripe-cart:squeeze-templates',
    transform(code, id) {
      if (!/\/widget\/.*\.ts$/.test(id)) return null;
      const source = ts.createSourceFile(id, code, ts.ScriptTarget.Latest, true);
      const edits: { start: number; end: number; text: string }[] = [];
      const visit = (node: ts.Node): void => {
        if (
          ts.isTaggedTemplateExpression(node) &&
          ts.isIdentifier(node.tag) &&
          (node.tag.text === 'html' || node.tag.text === 'css')
        ) {
          const parts = ts.isNoSubstitutionTemplateLiteral(node.template)
            ? [node.template]
            : [node.template.head, ...node.template.templateSpans.map((s) => s.literal)];
          for (const part of parts) {
            const start = part.getStart(source);
            const raw = code.slice(start, part.end);
            let text = raw.replace(/\s*\n\s*/g, ' ');
            // Around braces, semicolons and commas, and after a declaration's colon (a
            // selector's colon is never followed by a space), CSS needs no space; nor does a
            // block's last declaration need its semicolon.
            if (node.tag.text === 'css') {
              text = text
                .replace(/\s*([{};,])\s*/g, '$1')
                .replace(/:\s+/g, ':')
                .replaceAll(';}', '}');
            }
            edits.push({ start, end: part.end, text });
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
      let out = code;
      for (const edit of edits.sort((a, b) => b.start - a.start)) {
        out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
      }
      return { code: out, map: null };
    },
  };
}

/**
 * Any bundle importing @trpc/client keeps its WebSocket client (0.9 KB gzipped): the module
 * ends with a helper call setting the class's static counter, which a bundler must take for
 * a side effect. The widget speaks HTTP and SSE only, so that call is marked pure and the
 * class drops out with it. The build fails, rather than silently growing, if tRPC changes it.
 */
function dropWebSocketClient(): Plugin {
  const call = '_defineProperty(WsConnection, "connectCount", 0);';
  return {
    name: 'stripe-cart:drop-websocket-client',
    transform(code, id) {
      if (!/\/@trpc\/client\/dist\/wsLink-[\w-]+\.mjs$/.test(id)) return null;
      if (!code.includes(call)) this.error(`${id} no longer has ${call}: update vite.config.ts`);
      return { code: code.replace(call, `/* @__PURE__ */ ${call}`), map: null };
    },
  };
}

/**
 * tRPC ships its code lowered for old engines, with helpers standing in for class fields,
 * object spread and `for await` (`_defineProperty`, with `_typeof`, `_toPrimitive` and
 * `_toPropertyKey` behind it, `_objectSpread2` and `_asyncIterator`), some in two copies.
 * Every browser the widget supports has the real thing, so the helpers are swapped for it:
 * 633 B gzipped. The build fails, rather than silently growing, if tRPC stops shipping them.
 */
function nativeTrpcHelpers(): Plugin {
  const natives: Record<string, string> = {
    // What a class field does: define an own, writable, enumerable property.
    defineProperty: `function _defineProperty(object, key, value) {
      return Object.defineProperty(object, key, { value, enumerable: true, configurable: true, writable: true });
    }`,
    // What spreading does: define each own enumerable key (assigning would take a JSON
    // answer's own "__proto__" key as the new object's prototype).
    objectSpread2: `function _objectSpread2(target, ...sources) {
      for (const source of sources) Object.defineProperties(target, Object.getOwnPropertyDescriptors({ ...source }));
      return target;
    }`,
    // An async iterable's own iterator, else a sync iterable's values, awaited one by one.
    asyncIterator: `function _asyncIterator(iterable) {
      return iterable[Symbol.asyncIterator]?.() ?? (async function* () { yield* iterable; })();
    }`,
  };
  const helper =
    /\/\/#region \\0@oxc-project\+runtime@[\d.]+\/helpers\/esm\/(\w+)\.js\n[\s\S]*?\/\/#endregion/g;
  const swapped = new Set<string>();
  return {
    name: 'stripe-cart:native-trpc-helpers',
    transform(code, id) {
      if (!/\/@trpc\/(client|server)\/dist\/[\w-]+\.mjs$/.test(id)) return null;
      const out = code.replace(helper, (region, name: string) => {
        const native = natives[name];
        if (native === undefined) return region;
        swapped.add(name);
        return native;
      });
      return out === code ? null : { code: out, map: null };
    },
    buildEnd() {
      const missing = Object.keys(natives).filter((name) => !swapped.has(name));
      if (missing.length) this.error(`tRPC no longer ships ${missing}: update vite.config.ts`);
    },
  };
}

/**
 * tRPC's SSE consumer (what `httpSubscriptionLink` reads the stream with) is an async generator
 * and a timeout written with `using`, lowered for old engines: a generator wrapper, the `using`
 * helper, and `Unpromise` (a `Promise.race` that unsubscribes from long-lived promises; these
 * race a fresh read with a fresh timer). Every browser the widget supports has async
 * generators, so the two are written back as their source reads, try/finally disposing what
 * `using` did. With no user left, the wrapper's class (two copies) can drop out too: 1.4 KB
 * gzipped in all. The build fails, rather than silently growing, if tRPC changes them.
 */
function nativeSseConsumer(): Plugin {
  const swaps: [lowered: string, native: string][] = [
    [
      `async function withTimeout(opts) {
        try {
          var _usingCtx$1 = _usingCtx();
          const timeoutPromise = _usingCtx$1.u(timerResource(opts.timeoutMs));
          const res = await Unpromise.race([opts.promise, timeoutPromise.start()]);
          if (res === disposablePromiseTimerResult) return await opts.onTimeout();
          return res;
        } catch (_) {
          _usingCtx$1.e = _;
        } finally {
          _usingCtx$1.d();
        }
      }`,
      `async function withTimeout(opts) {
        const timeoutPromise = timerResource(opts.timeoutMs);
        try {
          const res = await Promise.race([opts.promise, timeoutPromise.start()]);
          if (res === disposablePromiseTimerResult) return await opts.onTimeout();
          return res;
        } finally {
          timeoutPromise[Symbol.dispose]();
        }
      }`,
    ],
    [
      `return run(_wrapAsyncGenerator(function* () {
        try {
          var _usingCtx3 = _usingCtx();
          const stream = _usingCtx3.a(getStreamResource());`,
      `return run(async function* () {
        const stream = getStreamResource();
        try {`,
    ],
    [
      `const result = yield _awaitAsyncGenerator(promise);
            if (result.done) return result.value;
            yield result.value;
          }
        } catch (_) {
          _usingCtx3.e = _;
        } finally {
          yield _awaitAsyncGenerator(_usingCtx3.d());
        }
      }));`,
      `const result = await promise;
            if (result.done) return result.value;
            yield result.value;
          }
        } finally {
          await stream[Symbol.asyncDispose]();
        }
      });`,
    ],
  ];
  // The same code whatever its indentation: each run of whitespace matches any other.
  const loose = (text: string) =>
    new RegExp(
      text
        .trim()
        .split(/\s+/)
        .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('\\s+'),
    );
  // The wrapper's class sets its prototype's methods in a statement of its own, which a bundler
  // must keep; made in a pure function instead, the class goes when unused.
  const generatorClass =
    /function AsyncGenerator\(e\) \{[\s\S]*?\n\}\nAsyncGenerator\.prototype\[[\s\S]*?\n\};\n/;
  return {
    name: 'stripe-cart:native-sse-consumer',
    transform(code, id) {
      // Two copies: the server's shared helpers and the client's own.
      if (
        /\/@trpc\/(server\/dist\/asyncGeneratorDelegate-[\w-]+|client\/dist\/index)\.mjs$/.test(id)
      ) {
        if (!generatorClass.test(code))
          this.error(`${id} no longer has AsyncGenerator: update vite.config.ts`);
        const wrapped = (setup: string) =>
          `var AsyncGenerator = /* @__PURE__ */ (() => {\n${setup}return AsyncGenerator;\n})();\n`;
        return { code: code.replace(generatorClass, wrapped), map: null };
      }
      if (!/\/@trpc\/server\/dist\/resolveResponse-[\w-]+\.mjs$/.test(id)) return null;
      let out = code;
      for (const [lowered, native] of swaps) {
        const pattern = loose(lowered);
        if (!pattern.test(out)) this.error(`${id} no longer has ${lowered}: update vite.config.ts`);
        out = out.replace(pattern, () => native);
      }
      return { code: out, map: null };
    },
  };
}

/**
 * terser over each chunk, before the bundler's own minifier: together they find what either
 * leaves alone (shorter conditionals and sequences, names that compress better), about
 * 400 B gzipped with three passes (more find nothing). Only terser's safe transforms: the output
 * must behave as the source does.
 */
function terserPass(): Plugin {
  return {
    name: 'stripe-cart:terser-pass',
    async renderChunk(code, _chunk, options) {
      const out = await minify(code, {
        module: options.format === 'es',
        compress: { passes: 3, ecma: 2020 },
        format: { comments: false, ascii_only: true, ecma: 2020 },
        sourceMap: true,
      });
      if (out.code === undefined) this.error('terser returned no code');
      return { code: out.code, map: out.map as string };
    },
  };
}

export default defineConfig({
  publicDir: false,
  plugins: [
    squeezeTemplates(),
    dropWebSocketClient(),
    nativeTrpcHelpers(),
    nativeSseConsumer(),
    terserPass(),
  ],
  // Lit's production build whatever NODE_ENV says (Vitest sets it to "test").
  resolve: { conditions: ['module', 'browser', 'production'] },
  build: {
    outDir: 'dist/widget',
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    // Lib mode keeps whitespace in ES output unless the bundler itself is told to minify.
    // The file is served as it is, never bundled again, so the comments the minifier keeps
    // for other bundlers (27 `@__PURE__` annotations) only add bytes: 87 B gzipped.
    // ASCII only, so a page not served as UTF-8 (where the classic-script build often goes)
    // does not garble "…" or "è"; it costs nothing gzipped (10 B less). Tagged templates stay
    // as written, so html`` uses entities (&times;) rather than such characters.
    // The elements' reactive state (`_lines`, `_email`...) cannot be #private, which the
    // minifier shortens by itself (Lit needs properties), so its names are shortened here: 81 B
    // gzipped. They change across the whole bundle: Lit's own names start with `_$` or `__`, a
    // Babel helper's `_invoke` is read only by that helper, and no code reads one by a string.
    // Given as an object, minify needs compress, mangle and codegen named, or they are off.
    rolldownOptions: {
      // Its timing report names the terser pass on every build: a known cost, not news.
      checks: { pluginTimings: false },
      output: {
        minify: {
          compress: true,
          mangle: true,
          codegen: true,
          mangleProps: { include: /^_[a-z]/ },
        },
        comments: false,
        charset: 'ascii',
      },
    },
    sourcemap: true,
    lib: {
      entry: 'widget/index.ts',
      name: 'StripeCart',
      formats: ['es', 'iife'],
      fileName: (format) => (format === 'es' ? 'stripe-cart.js' : 'stripe-cart.iife.js'),
    },
  },
});
