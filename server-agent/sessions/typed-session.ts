/** `sessions.typed(session)`: the same Session, with get/set typed by the schema's output. */
import type { Session } from './session.js';

type Keys<D> = keyof D & string;

/** The same Session, typed by the schema: get/set/pop/setDefault/update know each key's type. */
export type TypedSession<D> = Omit<Session, 'get' | 'set' | 'pop' | 'setDefault' | 'update' | 'data'> & {
  /** U2: the tracked object (tracked-data.ts), typed; keys the schema marks optional may be absent. */
  data(): Promise<Partial<D>>;
  get<K extends Keys<D>>(key: K): Promise<D[K] | undefined>;
  get<K extends Keys<D>>(key: K, fallback: Exclude<D[K], undefined>): Promise<Exclude<D[K], undefined>>;
  set<K extends Keys<D>>(key: K, value: D[K]): Promise<void>;
  pop<K extends Keys<D>>(key: K, fallback?: D[K]): Promise<D[K] | undefined>;
  setDefault<K extends Keys<D>>(key: K, value: D[K]): Promise<D[K]>;
  update(values: Partial<D>): Promise<void>;
};
