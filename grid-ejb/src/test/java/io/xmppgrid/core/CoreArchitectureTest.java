package io.xmppgrid.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The core stays plain Java: no container, no JPA, no XML APIs (the beans adapt it). */
class CoreArchitectureTest {

    private final JavaClasses core = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.xmppgrid.core");

    @Test
    void coreHasNoContainerXmlOrJpaDependencies() {
        noClasses().that().resideInAPackage("io.xmppgrid.core..")
                .should().dependOnClassesThat().resideInAnyPackage("jakarta..", "javax.xml..", "org.w3c..",
                        "javax.persistence..", "org.hibernate..", "io.xmppgrid.ejb..", "io.xmppgrid.persistence..")
                .check(core);
    }
}
