package io.xmppgrid.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** A role template as stored: its name, what it is for, and its grants separated by ';'. */
@Entity
@Table(name = "role_template")
@NamedQuery(name = RoleTemplateEntity.ALL, query = "select r from RoleTemplateEntity r order by r.name")
@NamedQuery(name = RoleTemplateEntity.USERS, query = "select count(p) from Platform p where p.role = :name")
public class RoleTemplateEntity {

    public static final String ALL = "RoleTemplateEntity.all";
    public static final String USERS = "RoleTemplateEntity.users";

    @Id
    @Column(length = 64)
    public String name;

    @Column(length = 1000)
    public String description;

    @Column(nullable = false, length = 4000)
    public String grants;

    /** Stanzas per second; null: the operator's default; 0: unlimited. */
    @Column(name = "stanza_rate")
    public Integer stanzaRate;

    /** Inbound bytes per second; null: the operator's default; 0: unlimited. */
    @Column(name = "byte_rate")
    public Integer byteRate;

    protected RoleTemplateEntity() {
    }

    public RoleTemplateEntity(String name, String description, String grants) {
        this.name = name;
        this.description = description;
        this.grants = grants;
    }
}
