import type { Database } from "@strata/db";
import type { Role, User } from "@strata/contracts";

/** A user row with its password hash: only the auth service ever sees this shape. */
export interface UserWithHash extends User {
  passwordHash: string;
}

interface UserRow {
  id: string;
  email: string;
  role: Role;
  created_at: Date;
  password_hash?: string;
}

// Public columns only: the hash is selected by name where it is needed, never by `*`.
const PUBLIC_COLUMNS = "id, email, role, created_at";

/** SQL for the users table. */
export class UserRepository {
  constructor(private readonly db: Database) {}

  /** Inserts a customer; null when the email (in any case) is already registered. */
  async create(email: string, passwordHash: string): Promise<User | null> {
    const { rows } = await this.db.query<UserRow>(
      `INSERT INTO users (email, password_hash, role) VALUES ($1, $2, 'customer')
       ON CONFLICT ((lower(email))) DO NOTHING
       RETURNING ${PUBLIC_COLUMNS}`,
      [email, passwordHash],
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  /** The account for a (normalised) email, with its hash, for login. */
  async findByEmailWithHash(email: string): Promise<UserWithHash | null> {
    const { rows } = await this.db.query<UserRow>(
      `SELECT ${PUBLIC_COLUMNS}, password_hash FROM users WHERE lower(email) = lower($1)`,
      [email],
    );
    const row = rows[0];
    return row ? { ...toUser(row), passwordHash: row.password_hash! } : null;
  }

  async findById(id: number): Promise<User | null> {
    const { rows } = await this.db.query<UserRow>(
      `SELECT ${PUBLIC_COLUMNS} FROM users WHERE id = $1`,
      [id],
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  /** Replaces a hash made with older argon2 parameters after a successful login. */
  async updatePasswordHash(id: number, passwordHash: string): Promise<void> {
    await this.db.query("UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1", [
      id,
      passwordHash,
    ]);
  }

  /** One page of users by id (keyset: `afterId` is the last id of the previous page). */
  async listAfter(afterId: number, limit: number): Promise<User[]> {
    const { rows } = await this.db.query<UserRow>(
      `SELECT ${PUBLIC_COLUMNS} FROM users WHERE id > $1 ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map(toUser);
  }
}

function toUser(row: UserRow): User {
  return {
    id: Number(row.id),
    email: row.email,
    role: row.role,
    createdAt: row.created_at.toISOString(),
  };
}
