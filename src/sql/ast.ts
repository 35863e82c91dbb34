/**
 * The Flink SQL abstract syntax tree. Nodes are immutable plain objects tagged by `kind`, each with the `span` of
 * the source text it was parsed from. Special forms whose semantics differ from a plain call (CAST, CASE, EXTRACT,
 * intervals, JSON functions, ...) have their own kinds so later layers never re-parse text.
 *
 * Invariants:
 * - Identifiers keep their exact text (Flink names are case-sensitive); keywords are stored upper case.
 * - Numeric literals are unsigned; a sign is a Unary node.
 * - Parentheses leave no node: the tree structure says the grouping.
 */

import type { Span } from '../common/diagnostics.js';

export type { Span };

interface NodeBase {
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------------------------
// Names and hints

export interface Ident extends NodeBase {
  readonly kind: 'Ident';
  /** Exact text (unescaped for quoted names). */
  readonly text: string;
  /** Written with backticks. */
  readonly quoted: boolean;
}

/** A possibly qualified name such as `cat.db.t`. */
export interface ObjectName extends NodeBase {
  readonly kind: 'ObjectName';
  readonly parts: readonly Ident[];
}

/**
 * A `/*+ NAME(...) *\/` hint. Key-value hints (OPTIONS, LOOKUP, STATE_TTL) fill `options` in written order; list
 * hints (BROADCAST(t1, t2)) fill `listArgs`; a bare hint has neither.
 */
export interface Hint extends NodeBase {
  readonly kind: 'Hint';
  readonly name: string;
  readonly options?: Readonly<Record<string, string>>;
  readonly listArgs?: readonly string[];
  /** How the list arguments were written: identifiers or string literals. */
  readonly listKind?: 'identifier' | 'string';
}

// ---------------------------------------------------------------------------------------------------------------
// Statements

export type Statement =
  | CreateTable
  | CreateView
  | CreateFunction
  | CreateDatabase
  | CreateCatalog
  | Drop
  | SetStatement
  | ResetStatement
  | Insert
  | QueryStatement
  | Explain
  | StatementSet
  | Show
  | Describe
  | Use;

export interface CreateTable extends NodeBase {
  readonly kind: 'CreateTable';
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly name: ObjectName;
  readonly columns: readonly ColumnDef[];
  readonly watermark?: Watermark;
  readonly primaryKey?: PrimaryKey;
  readonly comment?: StringValue;
  readonly partitionedBy: readonly Ident[];
  readonly options: readonly TableOption[];
  readonly like?: LikeClause;
  /** CREATE TABLE ... AS query (CTAS). */
  readonly asQuery?: QueryExpr;
}

export type ColumnDef = PhysicalColumn | ComputedColumn | MetadataColumn;

export interface PhysicalColumn extends NodeBase {
  readonly kind: 'PhysicalColumn';
  readonly name: Ident;
  readonly type: TypeNode;
  readonly comment?: StringValue;
}

export interface ComputedColumn extends NodeBase {
  readonly kind: 'ComputedColumn';
  readonly name: Ident;
  readonly expr: Expr;
  readonly comment?: StringValue;
}

export interface MetadataColumn extends NodeBase {
  readonly kind: 'MetadataColumn';
  readonly name: Ident;
  readonly type: TypeNode;
  /** METADATA FROM 'key'; absent means the key is the column name. */
  readonly from?: StringValue;
  readonly virtual: boolean;
  readonly comment?: StringValue;
}

export interface Watermark extends NodeBase {
  readonly kind: 'Watermark';
  /** Usually one part; nested row fields are allowed by Flink. */
  readonly column: ObjectName;
  readonly expr: Expr;
}

export interface PrimaryKey extends NodeBase {
  readonly kind: 'PrimaryKey';
  readonly constraintName?: Ident;
  readonly columns: readonly Ident[];
  /** Declared inline on the column (`id INT PRIMARY KEY NOT ENFORCED`). */
  readonly inline: boolean;
  /** False for the only form Flink accepts, NOT ENFORCED (the parser reports the other). */
  readonly enforced: boolean;
}

/** A string literal value with its span (option keys/values, comments, metadata keys). */
export interface StringValue extends NodeBase {
  readonly kind: 'StringValue';
  readonly value: string;
}

export interface TableOption extends NodeBase {
  readonly kind: 'TableOption';
  readonly key: StringValue;
  readonly value: StringValue;
}

export type LikeStrategy = 'INCLUDING' | 'EXCLUDING' | 'OVERWRITING';
export type LikeFeature = 'ALL' | 'CONSTRAINTS' | 'GENERATED' | 'METADATA' | 'OPTIONS' | 'PARTITIONS' | 'WATERMARKS';

export interface LikeClause extends NodeBase {
  readonly kind: 'LikeClause';
  readonly name: ObjectName;
  readonly options: readonly { readonly strategy: LikeStrategy; readonly feature: LikeFeature }[];
}

export interface CreateView extends NodeBase {
  readonly kind: 'CreateView';
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly name: ObjectName;
  readonly columns?: readonly Ident[];
  readonly comment?: StringValue;
  readonly query: QueryExpr;
}

export interface CreateFunction extends NodeBase {
  readonly kind: 'CreateFunction';
  readonly temporary: boolean;
  readonly system: boolean;
  readonly ifNotExists: boolean;
  readonly name: ObjectName;
  readonly className: StringValue;
  readonly language?: 'JAVA' | 'SCALA' | 'PYTHON';
}

export interface CreateDatabase extends NodeBase {
  readonly kind: 'CreateDatabase';
  readonly ifNotExists: boolean;
  readonly name: ObjectName;
  readonly comment?: StringValue;
  readonly options: readonly TableOption[];
}

export interface CreateCatalog extends NodeBase {
  readonly kind: 'CreateCatalog';
  readonly ifNotExists: boolean;
  readonly name: Ident;
  readonly options: readonly TableOption[];
}

export type DropObjectType = 'TABLE' | 'VIEW' | 'FUNCTION' | 'DATABASE' | 'CATALOG';

export interface Drop extends NodeBase {
  readonly kind: 'Drop';
  readonly objectType: DropObjectType;
  readonly temporary: boolean;
  readonly system: boolean;
  readonly ifExists: boolean;
  readonly name: ObjectName;
}

/** `SET 'k' = 'v'`, or `SET` alone (key and value absent) which lists the settings. */
export interface SetStatement extends NodeBase {
  readonly kind: 'Set';
  readonly key?: StringValue;
  readonly value?: StringValue;
}

export interface ResetStatement extends NodeBase {
  readonly kind: 'Reset';
  readonly key?: StringValue;
}

export interface Insert extends NodeBase {
  readonly kind: 'Insert';
  readonly overwrite: boolean;
  readonly target: ObjectName;
  readonly hints: readonly Hint[];
  /** Static partition `PARTITION (k = 'v')`. */
  readonly partition: readonly { readonly column: Ident; readonly value: Expr }[];
  readonly columns?: readonly Ident[];
  readonly query: QueryExpr;
}

export interface QueryStatement extends NodeBase {
  readonly kind: 'QueryStatement';
  readonly query: QueryExpr;
}

export type ExplainDetail = 'ESTIMATED_COST' | 'CHANGELOG_MODE' | 'JSON_EXECUTION_PLAN' | 'PLAN_ADVICE';

export interface Explain extends NodeBase {
  readonly kind: 'Explain';
  readonly details: readonly ExplainDetail[];
  readonly planFor: boolean;
  readonly statement: Statement;
}

/** `EXECUTE STATEMENT SET BEGIN ... END` or the SQL-client form `BEGIN STATEMENT SET; ...; END`. */
export interface StatementSet extends NodeBase {
  readonly kind: 'StatementSet';
  readonly syntax: 'EXECUTE' | 'BEGIN';
  readonly inserts: readonly Insert[];
}

export interface Show extends NodeBase {
  readonly kind: 'Show';
  /** Upper-case words after SHOW, e.g. 'TABLES', 'CURRENT DATABASE', 'CREATE TABLE'. */
  readonly what: string;
  /** For SHOW CREATE TABLE|VIEW name, SHOW COLUMNS FROM name. */
  readonly name?: ObjectName;
}

export interface Describe extends NodeBase {
  readonly kind: 'Describe';
  readonly extended: boolean;
  readonly name: ObjectName;
}

export interface Use extends NodeBase {
  readonly kind: 'Use';
  readonly catalog: boolean;
  readonly name: ObjectName;
}

// ---------------------------------------------------------------------------------------------------------------
// Queries

/**
 * A query expression. `Query` wraps a body only when it carries WITH, ORDER BY, LIMIT, OFFSET or FETCH; a plain
 * SELECT is a bare `Select`.
 */
export type QueryExpr = Query | Select | SetOperation | Values;

export interface Query extends NodeBase {
  readonly kind: 'Query';
  readonly with?: WithClause;
  readonly body: QueryExpr;
  readonly orderBy: readonly OrderItem[];
  readonly limit?: Expr;
  readonly offset?: Expr;
  readonly fetch?: Expr;
}

export interface WithClause extends NodeBase {
  readonly kind: 'With';
  readonly ctes: readonly Cte[];
}

export interface Cte extends NodeBase {
  readonly kind: 'Cte';
  readonly name: Ident;
  readonly columns?: readonly Ident[];
  readonly query: QueryExpr;
}

export interface Select extends NodeBase {
  readonly kind: 'Select';
  readonly hints: readonly Hint[];
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  readonly from?: Relation;
  readonly where?: Expr;
  readonly groupBy: readonly GroupingElement[];
  readonly having?: Expr;
  readonly windows: readonly NamedWindow[];
}

export type SetOperator = 'UNION' | 'INTERSECT' | 'EXCEPT';

export interface SetOperation extends NodeBase {
  readonly kind: 'SetOperation';
  /** MINUS is stored as EXCEPT. */
  readonly op: SetOperator;
  /** UNION ALL; UNION DISTINCT and UNION are both false. */
  readonly all: boolean;
  readonly left: QueryExpr;
  readonly right: QueryExpr;
}

export interface Values extends NodeBase {
  readonly kind: 'Values';
  readonly rows: readonly (readonly Expr[])[];
}

export type SelectItem = SelectExpr | SelectStar;

export interface SelectExpr extends NodeBase {
  readonly kind: 'SelectExpr';
  readonly expr: Expr;
  readonly alias?: Ident;
}

/** `*` or `t.*`. */
export interface SelectStar extends NodeBase {
  readonly kind: 'SelectStar';
  readonly qualifier?: ObjectName;
}

export interface OrderItem extends NodeBase {
  readonly kind: 'OrderItem';
  readonly expr: Expr;
  readonly direction?: 'ASC' | 'DESC';
  readonly nulls?: 'FIRST' | 'LAST';
}

/**
 * A GROUP BY element. Inside GROUPING SETS / ROLLUP / CUBE a parenthesised list `(a, b)` is an implicit Row
 * constructor (RowConstructor with explicit=false) meaning a composite grouping element.
 */
export type GroupingElement = Expr | GroupingSets | Rollup | Cube | EmptyGrouping;

export interface GroupingSets extends NodeBase {
  readonly kind: 'GroupingSets';
  readonly sets: readonly GroupingElement[];
}
export interface Rollup extends NodeBase {
  readonly kind: 'Rollup';
  readonly items: readonly Expr[];
}
export interface Cube extends NodeBase {
  readonly kind: 'Cube';
  readonly items: readonly Expr[];
}
/** `()` in GROUPING SETS: the grand total. */
export interface EmptyGrouping extends NodeBase {
  readonly kind: 'EmptyGrouping';
}

export interface NamedWindow extends NodeBase {
  readonly kind: 'NamedWindow';
  readonly name: Ident;
  readonly spec: WindowSpec;
}

// ---------------------------------------------------------------------------------------------------------------
// Relations (FROM items)

export type Relation = TableRef | DerivedTable | Join | TableFunction | Unnest;

export interface Alias extends NodeBase {
  readonly kind: 'Alias';
  readonly name: Ident;
  readonly columns?: readonly Ident[];
}

export interface TableRef extends NodeBase {
  readonly kind: 'TableRef';
  readonly name: ObjectName;
  readonly hints: readonly Hint[];
  /** FOR SYSTEM_TIME AS OF expr (temporal / lookup join). */
  readonly forSystemTime?: Expr;
  readonly alias?: Alias;
}

/** `(query) [AS] alias`, `LATERAL (query)`, and VALUES in FROM. */
export interface DerivedTable extends NodeBase {
  readonly kind: 'DerivedTable';
  readonly lateral: boolean;
  readonly query: QueryExpr;
  readonly alias?: Alias;
}

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS' | 'COMMA';

export interface Join extends NodeBase {
  readonly kind: 'Join';
  readonly joinType: JoinType;
  readonly natural: boolean;
  readonly left: Relation;
  readonly right: Relation;
  readonly on?: Expr;
  readonly using?: readonly Ident[];
}

/** `TABLE(fn(args))` (window TVFs) and `LATERAL TABLE(fn(args))` (table functions). */
export interface TableFunction extends NodeBase {
  readonly kind: 'TableFunction';
  readonly lateral: boolean;
  readonly call: FunctionCall;
  readonly alias?: Alias;
}

export interface Unnest extends NodeBase {
  readonly kind: 'Unnest';
  readonly args: readonly Expr[];
  readonly withOrdinality: boolean;
  readonly alias?: Alias;
}

// ---------------------------------------------------------------------------------------------------------------
// Expressions

export type Expr =
  | NumericLiteral
  | StringLiteral
  | BinaryLiteral
  | BooleanLiteral
  | NullLiteral
  | TypedLiteral
  | IntervalLiteral
  | ColumnRef
  | Unary
  | Binary
  | IsPredicate
  | IsDistinctFrom
  | Between
  | Like
  | InList
  | InSubquery
  | QuantifiedComparison
  | Exists
  | ScalarSubquery
  | FunctionCall
  | NamedArg
  | TableArg
  | Descriptor
  | Cast
  | Case
  | Extract
  | FloorCeil
  | Trim
  | Substring
  | Position
  | Overlay
  | TimestampAdd
  | TimestampDiff
  | JsonValue
  | JsonQuery
  | JsonExists
  | JsonObject
  | JsonArray
  | ArrayConstructor
  | MapConstructor
  | RowConstructor
  | Subscript
  | FieldAccess;

export interface NumericLiteral extends NodeBase {
  readonly kind: 'NumericLiteral';
  /** Source text, e.g. '42', '1.50', '1e3'. */
  readonly text: string;
  /** integer: exact integer; decimal: exact with a point; approx: has an exponent (DOUBLE). */
  readonly numberKind: 'integer' | 'decimal' | 'approx';
}

export interface StringLiteral extends NodeBase {
  readonly kind: 'StringLiteral';
  /** Unescaped value; adjacent literals are concatenated. */
  readonly value: string;
}

export interface BinaryLiteral extends NodeBase {
  readonly kind: 'BinaryLiteral';
  /** Hex digits as written (upper or lower case). */
  readonly hex: string;
}

export interface BooleanLiteral extends NodeBase {
  readonly kind: 'BooleanLiteral';
  /** null stands for UNKNOWN. */
  readonly value: boolean | null;
}

export interface NullLiteral extends NodeBase {
  readonly kind: 'NullLiteral';
}

/** DATE '2024-01-01', TIME '10:00:00', TIMESTAMP '2024-01-01 10:00:00'. The text is validated by the binder. */
export interface TypedLiteral extends NodeBase {
  readonly kind: 'TypedLiteral';
  readonly type: 'DATE' | 'TIME' | 'TIMESTAMP';
  readonly value: string;
}

export type TimeUnit =
  | 'MILLENNIUM' | 'CENTURY' | 'DECADE' | 'YEAR' | 'ISOYEAR' | 'QUARTER' | 'MONTH' | 'WEEK' | 'DAY' | 'DOY' | 'DOW'
  | 'ISODOW' | 'HOUR' | 'MINUTE' | 'SECOND' | 'EPOCH' | 'MILLISECOND' | 'MICROSECOND' | 'NANOSECOND';

export type IntervalUnit = 'YEAR' | 'MONTH' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND';

/** `YEAR`, `DAY TO SECOND`, `MINUTE(3)`, `SECOND(2, 3)`. */
export interface IntervalQualifier extends NodeBase {
  readonly kind: 'IntervalQualifier';
  readonly start: IntervalUnit;
  readonly startPrecision?: number;
  readonly end?: IntervalUnit;
  /** Fractional second precision: `SECOND(p, f)` or `... TO SECOND(f)`. */
  readonly fractionalPrecision?: number;
}

export interface IntervalLiteral extends NodeBase {
  readonly kind: 'IntervalLiteral';
  /** The string contents, e.g. '1 10:00' (may itself carry a sign). */
  readonly value: string;
  /** -1 for INTERVAL -'5' SECOND. */
  readonly sign: 1 | -1;
  readonly qualifier: IntervalQualifier;
}

/** A column or field reference `a`, `t.a`, `t.a.b`; the binder resolves which parts are table, column, field. */
export interface ColumnRef extends NodeBase {
  readonly kind: 'ColumnRef';
  readonly names: readonly Ident[];
}

export interface Unary extends NodeBase {
  readonly kind: 'Unary';
  readonly op: '-' | '+' | 'NOT';
  readonly operand: Expr;
}

/** `!=` is stored as `<>`. */
export type BinaryOp = 'OR' | 'AND' | '=' | '<>' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | '||';

export interface Binary extends NodeBase {
  readonly kind: 'Binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

export type IsTest = 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN' | 'JSON' | 'JSON VALUE' | 'JSON SCALAR' | 'JSON ARRAY' | 'JSON OBJECT';

/** `x IS [NOT] NULL|TRUE|FALSE|UNKNOWN|JSON [VALUE|SCALAR|ARRAY|OBJECT]`. */
export interface IsPredicate extends NodeBase {
  readonly kind: 'IsPredicate';
  readonly test: IsTest;
  readonly negated: boolean;
  readonly operand: Expr;
}

export interface IsDistinctFrom extends NodeBase {
  readonly kind: 'IsDistinctFrom';
  readonly negated: boolean;
  readonly left: Expr;
  readonly right: Expr;
}

export interface Between extends NodeBase {
  readonly kind: 'Between';
  readonly negated: boolean;
  readonly symmetric: boolean;
  readonly operand: Expr;
  readonly low: Expr;
  readonly high: Expr;
}

export interface Like extends NodeBase {
  readonly kind: 'Like';
  readonly op: 'LIKE' | 'SIMILAR TO';
  readonly negated: boolean;
  readonly operand: Expr;
  readonly pattern: Expr;
  readonly escape?: Expr;
}

export interface InList extends NodeBase {
  readonly kind: 'InList';
  readonly negated: boolean;
  readonly operand: Expr;
  readonly list: readonly Expr[];
}

export interface InSubquery extends NodeBase {
  readonly kind: 'InSubquery';
  readonly negated: boolean;
  readonly operand: Expr;
  readonly query: QueryExpr;
}

/** `x = ANY (subquery)`, `x > ALL (subquery)`; SOME is stored as ANY. */
export interface QuantifiedComparison extends NodeBase {
  readonly kind: 'QuantifiedComparison';
  readonly op: '=' | '<>' | '<' | '<=' | '>' | '>=';
  readonly quantifier: 'ANY' | 'ALL';
  readonly left: Expr;
  readonly query: QueryExpr;
}

export interface Exists extends NodeBase {
  readonly kind: 'Exists';
  readonly query: QueryExpr;
}

export interface ScalarSubquery extends NodeBase {
  readonly kind: 'ScalarSubquery';
  readonly query: QueryExpr;
}

export interface FunctionCall extends NodeBase {
  readonly kind: 'FunctionCall';
  /** Exact text as written (function names are resolved case-insensitively by the binder). */
  readonly name: ObjectName;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  /** `f(ALL x)`: only affects printing. */
  readonly all: boolean;
  /** `COUNT(*)`. */
  readonly star: boolean;
  /** Written without parentheses (CURRENT_TIMESTAMP, LOCALTIME, ...). */
  readonly niladic: boolean;
  readonly withinGroup?: readonly OrderItem[];
  readonly filter?: Expr;
  readonly over?: WindowSpec | WindowRef;
}

/** `name => value` argument of a function call (window TVFs, PTFs). */
export interface NamedArg extends NodeBase {
  readonly kind: 'NamedArg';
  readonly name: Ident;
  readonly value: Expr;
}

/** `TABLE t [PARTITION BY k, ...]`: a table argument of a table-valued function. */
export interface TableArg extends NodeBase {
  readonly kind: 'TableArg';
  readonly name: ObjectName;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
}

export interface Descriptor extends NodeBase {
  readonly kind: 'Descriptor';
  readonly columns: readonly Ident[];
}

export interface Cast extends NodeBase {
  readonly kind: 'Cast';
  readonly operand: Expr;
  readonly type: TypeNode;
  /** TRY_CAST. */
  readonly try: boolean;
}

export interface Case extends NodeBase {
  readonly kind: 'Case';
  /** Simple CASE operand; absent for searched CASE. */
  readonly operand?: Expr;
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly else?: Expr;
}

export interface Extract extends NodeBase {
  readonly kind: 'Extract';
  readonly unit: TimeUnit;
  readonly operand: Expr;
}

/** FLOOR(x TO unit), CEIL(x TO unit); CEILING is stored as CEIL. Plain FLOOR(x) is a FunctionCall. */
export interface FloorCeil extends NodeBase {
  readonly kind: 'FloorCeil';
  readonly fn: 'FLOOR' | 'CEIL';
  readonly operand: Expr;
  readonly unit: TimeUnit;
}

export interface Trim extends NodeBase {
  readonly kind: 'Trim';
  /** Absent when written TRIM(s) or TRIM(chars FROM s) (both mean BOTH). */
  readonly side?: 'BOTH' | 'LEADING' | 'TRAILING';
  readonly chars?: Expr;
  readonly operand: Expr;
}

/** SUBSTRING(s FROM a [FOR b]) and SUBSTRING(s, a [, b]). */
export interface Substring extends NodeBase {
  readonly kind: 'Substring';
  readonly operand: Expr;
  readonly start: Expr;
  readonly length?: Expr;
}

export interface Position extends NodeBase {
  readonly kind: 'Position';
  readonly needle: Expr;
  readonly haystack: Expr;
  readonly from?: Expr;
}

export interface Overlay extends NodeBase {
  readonly kind: 'Overlay';
  readonly operand: Expr;
  readonly placing: Expr;
  readonly start: Expr;
  readonly length?: Expr;
}

export type TimestampArithUnit = 'YEAR' | 'QUARTER' | 'MONTH' | 'WEEK' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND' | 'MILLISECOND' | 'MICROSECOND' | 'NANOSECOND';

export interface TimestampAdd extends NodeBase {
  readonly kind: 'TimestampAdd';
  readonly unit: TimestampArithUnit;
  readonly count: Expr;
  readonly timestamp: Expr;
}

export interface TimestampDiff extends NodeBase {
  readonly kind: 'TimestampDiff';
  readonly unit: TimestampArithUnit;
  readonly start: Expr;
  readonly end: Expr;
}

/** NULL | ERROR | DEFAULT expr, for ON EMPTY / ON ERROR clauses of JSON_VALUE. */
export interface JsonBehavior extends NodeBase {
  readonly kind: 'JsonBehavior';
  readonly behavior: 'NULL' | 'ERROR' | 'DEFAULT';
  readonly default?: Expr;
}

export interface JsonValue extends NodeBase {
  readonly kind: 'JsonValue';
  readonly operand: Expr;
  readonly path: Expr;
  readonly returning?: TypeNode;
  readonly onEmpty?: JsonBehavior;
  readonly onError?: JsonBehavior;
}

export type JsonQueryBehavior = 'NULL' | 'ERROR' | 'EMPTY ARRAY' | 'EMPTY OBJECT';

export interface JsonQuery extends NodeBase {
  readonly kind: 'JsonQuery';
  readonly operand: Expr;
  readonly path: Expr;
  readonly returning?: TypeNode;
  /** WITHOUT [ARRAY] WRAPPER (default), WITH [UNCONDITIONAL] [ARRAY] WRAPPER, WITH CONDITIONAL [ARRAY] WRAPPER. */
  readonly wrapper: 'WITHOUT' | 'CONDITIONAL' | 'UNCONDITIONAL';
  readonly onEmpty?: JsonQueryBehavior;
  readonly onError?: JsonQueryBehavior;
}

export interface JsonExists extends NodeBase {
  readonly kind: 'JsonExists';
  readonly operand: Expr;
  readonly path: Expr;
  readonly onError?: 'TRUE' | 'FALSE' | 'UNKNOWN' | 'ERROR';
}

/** JSON_OBJECT([KEY] k VALUE v, ... [NULL|ABSENT ON NULL]). */
export interface JsonObject extends NodeBase {
  readonly kind: 'JsonObject';
  readonly entries: readonly { readonly key: Expr; readonly value: Expr }[];
  readonly onNull?: 'NULL' | 'ABSENT';
}

/** JSON_ARRAY(v, ... [NULL|ABSENT ON NULL]). */
export interface JsonArray extends NodeBase {
  readonly kind: 'JsonArray';
  readonly items: readonly Expr[];
  readonly onNull?: 'NULL' | 'ABSENT';
}

export interface ArrayConstructor extends NodeBase {
  readonly kind: 'ArrayConstructor';
  readonly items: readonly Expr[];
}

export interface MapConstructor extends NodeBase {
  readonly kind: 'MapConstructor';
  readonly entries: readonly { readonly key: Expr; readonly value: Expr }[];
}

/** ROW(a, b) (explicit) or (a, b) (implicit, e.g. in IN lists and VALUES rows). */
export interface RowConstructor extends NodeBase {
  readonly kind: 'RowConstructor';
  readonly items: readonly Expr[];
  readonly explicit: boolean;
}

/** arr[i], map['k']. */
export interface Subscript extends NodeBase {
  readonly kind: 'Subscript';
  readonly operand: Expr;
  readonly index: Expr;
}

/** (expr).field, f(x).field, arr[1].field; plain `t.a.b` is a ColumnRef. */
export interface FieldAccess extends NodeBase {
  readonly kind: 'FieldAccess';
  readonly operand: Expr;
  readonly field: Ident;
}

// ---------------------------------------------------------------------------------------------------------------
// Windows

export interface WindowSpec extends NodeBase {
  readonly kind: 'WindowSpec';
  /** Name of a window from the WINDOW clause that this spec refines. */
  readonly base?: Ident;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  readonly frame?: WindowFrame;
}

export interface WindowRef extends NodeBase {
  readonly kind: 'WindowRef';
  readonly name: Ident;
}

export interface WindowFrame extends NodeBase {
  readonly kind: 'WindowFrame';
  readonly unit: 'ROWS' | 'RANGE';
  readonly start: FrameBound;
  /** Absent for the short form `ROWS <bound>` (end is CURRENT ROW). */
  readonly end?: FrameBound;
}

export interface FrameBound extends NodeBase {
  readonly kind: 'FrameBound';
  readonly bound: 'UNBOUNDED PRECEDING' | 'PRECEDING' | 'CURRENT ROW' | 'FOLLOWING' | 'UNBOUNDED FOLLOWING';
  /** For `n PRECEDING` / `n FOLLOWING`: a number or an interval. */
  readonly offset?: Expr;
}

// ---------------------------------------------------------------------------------------------------------------
// Types

export type TypeNode = ScalarTypeNode | IntervalTypeNode | ArrayTypeNode | MapTypeNode | MultisetTypeNode | RowTypeNode;

export type ScalarTypeName =
  | 'BOOLEAN' | 'TINYINT' | 'SMALLINT' | 'INT' | 'INTEGER' | 'BIGINT' | 'FLOAT' | 'REAL' | 'DOUBLE'
  | 'DECIMAL' | 'DEC' | 'NUMERIC' | 'CHAR' | 'VARCHAR' | 'STRING' | 'BINARY' | 'VARBINARY' | 'BYTES'
  | 'DATE' | 'TIME' | 'TIMESTAMP' | 'TIMESTAMP_LTZ' | 'NULL';

interface TypeBase extends NodeBase {
  /** undefined: not written; false: NOT NULL; true: NULL written explicitly. */
  readonly nullable?: boolean;
}

export interface ScalarTypeNode extends TypeBase {
  readonly kind: 'ScalarType';
  /** As written (synonyms kept: INTEGER, DEC, NUMERIC, REAL); DOUBLE PRECISION is DOUBLE. */
  readonly name: ScalarTypeName;
  readonly precision?: number;
  readonly scale?: number;
  /** TIMESTAMP(p) WITH LOCAL TIME ZONE. */
  readonly withLocalTimeZone?: boolean;
}

export interface IntervalTypeNode extends TypeBase {
  readonly kind: 'IntervalType';
  readonly qualifier: IntervalQualifier;
}

export interface ArrayTypeNode extends TypeBase {
  readonly kind: 'ArrayType';
  readonly element: TypeNode;
}

export interface MapTypeNode extends TypeBase {
  readonly kind: 'MapType';
  readonly key: TypeNode;
  readonly value: TypeNode;
}

export interface MultisetTypeNode extends TypeBase {
  readonly kind: 'MultisetType';
  readonly element: TypeNode;
}

export interface RowTypeField extends NodeBase {
  readonly kind: 'RowTypeField';
  readonly name: Ident;
  readonly type: TypeNode;
  readonly comment?: StringValue;
}

export interface RowTypeNode extends TypeBase {
  readonly kind: 'RowType';
  readonly fields: readonly RowTypeField[];
}
